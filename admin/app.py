"""Assemble the staff panel: views, Vietnamese interface, sign-in, permissions."""

from __future__ import annotations

from pathlib import Path

from jinja2 import FileSystemLoader, PackageLoader, PrefixLoader
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette_admin.auth import login_not_required
from starlette_admin.contrib.beanie import Admin

from app.auth.admin_provider import AdminAuthProvider
from app.auth.middleware import ACCOUNT_PAGE, PASSWORD_PAGE
from app.auth.templates import TEMPLATES_DIR
from app.clock import format_datetime
from app.config import Settings

from .access import AccessMiddleware
from .flash import EncryptedFlashMiddleware
from .i18n import I18N_CONFIG, TIMEZONE_CONFIG, VietnameseMiddleware
from .template_text import (
    ACCESSIBLE_NAMES,
    EXPORT_NAME,
    NAME_IN_SENTENCE,
    SCRIPT_TEXT,
    ReplacingLoader,
    error_detail,
    translated_script,
)
from .views.base import ScopedModelView
from .views.catalogue import SchoolClassView, SchoolYearView, SubjectView
from .views.dashboards import DashboardsView
from .views.exports import ExportJournalView, ExportsView
from .views.history import AlarmView, ChangeLogView, HistoryView, OutOfBandView
from .views.home import HomeView
from .views.inspections import InspectionView
from .views.operations import OperationsView
from .views.parents import ParentAccountsView, ParentReportsView
from .views.promotion import PromotionView
from .views.roles import RoleView
from .views.scorebook import MyBooksView, TeacherLanding
from .views.students import StudentView
from .views.tools import AuthEventView, ExplainView, PreviewView
from .views.users import UserView
from .views.workflow import (
    BookChainView,
    CorrectionsView,
    InboxCount,
    InboxView,
    WorkflowView,
)

HERE = Path(__file__).parent


def _script(name: str) -> Route:
    # A static file like the library's others (no session reaches it): open to every visitor.
    @login_not_required
    async def serve(request: Request) -> Response:
        return Response(translated_script(name), media_type="text/javascript")

    return Route(f"/static/js/{name}", serve)


class HocbaAdmin(Admin):
    def _init_flash(self) -> None:
        # The library's flash cookie is only signed; ours is encrypted (admin/flash.py).
        assert self.secret_key is not None
        self.middlewares.append(Middleware(EncryptedFlashMiddleware, secret_key=self.secret_key))

    def _init_routes(self) -> None:
        super()._init_routes()
        # Ahead of the static files: the library's scripts whose own texts are in English.
        self.routes[:0] = [_script(name) for name in SCRIPT_TEXT]


def _favicon(request: Request) -> str:
    return str(request.url_for("admin:static", path="img/favicon.svg"))


def build_admin(settings: Settings) -> Admin:
    library_templates = ReplacingLoader(
        PackageLoader("starlette_admin", "templates"),
        {**ACCESSIBLE_NAMES, **EXPORT_NAME, **NAME_IN_SENTENCE},
    )
    home = HomeView("Học bạ số")
    admin = HocbaAdmin(
        title="Học bạ số",
        index_view=home,
        favicon_url=_favicon,
        base_url="/admin",
        route_name="admin",
        templates_dir=str(HERE / "templates"),
        # Lets our layout.html extend the library's own ("starlette_admin/layout.html");
        # both serve the library's templates with their English accessible names translated.
        additional_loaders=[
            PrefixLoader({"starlette_admin": library_templates}),
            library_templates,
            # The pieces the panel shares with the sign-in pages (the system notice).
            PrefixLoader({"partials": FileSystemLoader(str(TEMPLATES_DIR / "partials"))}),
        ],
        static_dir=str(HERE / "static"),
        auth_provider=AdminAuthProvider(),
        secret_key=settings.secret_key,
        i18n_config=I18N_CONFIG,
        timezone_config=TIMEZONE_CONFIG,
        middlewares=[
            Middleware(VietnameseMiddleware),
            Middleware(AccessMiddleware),
            Middleware(TeacherLanding),
            Middleware(InboxCount),
        ],
    )
    home.attach(admin._model_views, admin.templates.env)
    admin.templates.env.globals["account_page"] = ACCOUNT_PAGE
    admin.templates.env.globals["password_page"] = PASSWORD_PAGE
    admin.templates.env.globals["vn_time"] = format_datetime
    admin.templates.env.globals["format_datetime"] = format_datetime
    admin.templates.env.globals["error_detail"] = error_detail
    for view in (
        InboxView(),
        MyBooksView(settings.school_name),
        WorkflowView(),
        BookChainView(),
        CorrectionsView(),
        StudentView(),
        PromotionView(),
        UserView(),
        RoleView(),
        SchoolYearView(),
        SchoolClassView(),
        SubjectView(),
        ChangeLogView(),
        OutOfBandView(),
        AlarmView(),
        HistoryView(),
        AuthEventView(),
        ExportsView(settings.school_name),
        ExportJournalView(),
        ExplainView(),
        PreviewView(),
        OperationsView(),
        ParentReportsView(),
        ParentAccountsView(settings.school_name),
        DashboardsView(settings.school_name),
        InspectionView(),
    ):
        admin.add_view(view)
    exports = {view.key: view for view in admin._model_views if isinstance(view, ScopedModelView)}

    def export_filename(request: Request) -> str:
        view = exports.get(request.path_params.get("key", ""))
        return view.export_filename() if view is not None else "du-lieu"

    admin.templates.env.globals["export_filename"] = export_filename
    return admin
