"""Integration files of a school year (JSON and XML in the ministry's names), each checked
against its schema before anyone receives it, and read back for a transfer in."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import cache
from typing import Any

import fastjsonschema
from jsonschema import Draft7Validator, FormatChecker
from lxml import etree

from app.errors import InvalidInput

from . import ministry

MAX_ERRORS = 5
NOT_VALID = "Tệp xuất ra không đúng lược đồ {schema} nên không được cung cấp: {errors}"
FILE_NOT_VALID = "Tệp không đúng định dạng {format} {version}: {errors}"


def integration_document(
    records: Iterable[Mapping[str, Any]], *, school: str, school_year: str | None
) -> dict[str, Any]:
    """The file's content: every pupil with the school year asked for (every year: None)."""
    years = [school_year] if school_year else None
    return {
        ministry.HEADER["format"]: ministry.FORMAT,
        ministry.HEADER["version"]: ministry.VERSION,
        ministry.HEADER["school"]: school,
        **({ministry.HEADER["year"]: school_year} if school_year else {}),
        ministry.PUPILS: [ministry.pupil_entry(r, years) for r in records],
    }


# -- JSON --------------------------------------------------------------------------------------
@cache
def json_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(ministry.JSON_SCHEMA.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    return schema


@cache
def json_check() -> Any:
    """The schema compiled to Python (a school year's file of 10,000 pupils is checked in
    seconds; an interpreting validator takes minutes)."""
    return fastjsonschema.compile(json_schema())


@cache
def json_validator() -> Draft7Validator:
    """The same schema, interpreted: it names every problem, for a file that fails."""
    return Draft7Validator(json_schema(), format_checker=FormatChecker())


def json_errors(document: Any) -> list[str]:
    """What in ``document`` breaks the JSON schema (at most a few, with where)."""
    try:
        json_check()(document)
        return []
    except fastjsonschema.JsonSchemaValueException as exc:
        first = exc.message
    errors = []
    for error in json_validator().iter_errors(document):
        where = "/".join(str(p) for p in error.absolute_path) or "gốc"
        errors.append(f"{where}: {error.message}")
        if len(errors) >= MAX_ERRORS:
            break
    return errors or [first]


def json_file(document: Mapping[str, Any]) -> bytes:
    """The document as UTF-8 JSON, refused when it does not match its schema."""
    errors = json_errors(document)
    if errors:
        raise InvalidInput(
            NOT_VALID.format(schema=ministry.JSON_SCHEMA.name, errors="; ".join(errors))
        )
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def read_json(data: bytes) -> dict[str, Any]:
    """A file in the integration format, parsed and checked against the same schema."""
    try:
        document = json.loads(data.decode("utf-8-sig"), parse_float=Decimal)
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput("Tệp không phải JSON hợp lệ (mã hóa UTF-8)") from exc
    errors = json_errors(_plain_numbers(document))
    if errors:
        raise InvalidInput(
            FILE_NOT_VALID.format(
                format=ministry.FORMAT, version=ministry.VERSION, errors="; ".join(errors)
            )
        )
    if not isinstance(document, dict):
        raise InvalidInput("Tệp không đúng định dạng")
    return document


def _plain_numbers(node: Any) -> Any:
    """Decimals (kept exact for the import) as floats, which the schema checks as numbers."""
    if isinstance(node, Decimal):
        return float(node)
    if isinstance(node, list):
        return [_plain_numbers(v) for v in node]
    if isinstance(node, dict):
        return {k: _plain_numbers(v) for k, v in node.items()}
    return node


# -- XML ---------------------------------------------------------------------------------------
@cache
def xml_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(ministry.XSD)))


def xml_file(document: Mapping[str, Any]) -> bytes:
    """The document as XML in the format's namespace, refused when the XSD rejects it."""
    root = etree.Element(
        f"{{{ministry.XML_NAMESPACE}}}{ministry.ROOT}", nsmap={None: ministry.XML_NAMESPACE}
    )
    _children(root, document)
    schema = xml_schema()
    if not schema.validate(root):
        errors = [f"dòng {e.line}: {e.message}" for e in list(schema.error_log)[:MAX_ERRORS]]
        raise InvalidInput(NOT_VALID.format(schema=ministry.XSD.name, errors="; ".join(errors)))
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data


def _children(parent: etree._Element, values: Mapping[str, Any]) -> None:
    for name, value in values.items():
        element = etree.SubElement(parent, f"{{{ministry.XML_NAMESPACE}}}{name}")
        if isinstance(value, Mapping):
            _children(element, value)
        elif isinstance(value, list):
            item_name = f"{{{ministry.XML_NAMESPACE}}}{ministry.XML_ITEMS[name]}"
            for item in value:
                child = etree.SubElement(element, item_name)
                if isinstance(item, Mapping):
                    _children(child, item)
                elif item is not None:
                    child.text = _text(item)
        else:
            element.text = _text(value)


def _text(value: Any) -> str:
    if isinstance(value, float):
        return f"{Decimal(str(value)).normalize():f}"
    return str(value)
