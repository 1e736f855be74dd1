"""Assemble the staff panel: views, Vietnamese interface, sign-in, permissions."""

from __future__ import annotations

from pathlib import Path

from jinja2 import FileSystemLoader, PackageLoader, PrefixLoader
from starlette.middleware import Middleware
from starlette_admin.contrib.beanie import Admin

from app.auth.admin_provider import AdminAuthProvider
from app.auth.templates import TEMPLATES_DIR
from app.clock import format_datetime
from app.config import Settings

from .access import AccessMiddleware
from .flash import EncryptedFlashMiddleware
from .i18n import I18N_CONFIG, TIMEZONE_CONFIG, LanguageMiddleware, locale_display_name
from .template_text import ACCESSIBLE_NAMES, ReplacingLoader, error_detail
from .views.catalogue import SchoolClassView, SchoolYearView, SubjectView
from .views.exports import ExportJournalView, ExportsView
from .views.history import AlarmView, ChangeLogView, HistoryView, OutOfBandView
from .views.operations import OperationsView
from .views.roles import RoleView
from .views.scorebook import MyBooksView, TeacherLanding
from .views.students import StudentView
from .views.tools import AuthEventView, ExplainView, PreviewView
from .views.users import UserView

HERE = Path(__file__).parent


class HocbaAdmin(Admin):
    def _init_flash(self) -> None:
        # The library's flash cookie is only signed; ours is encrypted (admin/flash.py).
        assert self.secret_key is not None
        self.middlewares.append(Middleware(EncryptedFlashMiddleware, secret_key=self.secret_key))


def build_admin(settings: Settings) -> Admin:
    library_templates = ReplacingLoader(
        PackageLoader("starlette_admin", "templates"), ACCESSIBLE_NAMES
    )
    admin = HocbaAdmin(
        title="Học bạ số",
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
            Middleware(LanguageMiddleware),
            Middleware(AccessMiddleware),
            Middleware(TeacherLanding),
        ],
    )
    admin.templates.env.globals["get_locale_display_name"] = locale_display_name
    admin.templates.env.globals["vn_time"] = format_datetime
    admin.templates.env.globals["format_datetime"] = format_datetime
    admin.templates.env.globals["error_detail"] = error_detail
    for view in (
        MyBooksView(settings.school_name),
        StudentView(),
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
    ):
        admin.add_view(view)
    return admin
