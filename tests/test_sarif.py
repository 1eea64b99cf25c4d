"""SARIF output (issue 11, item 12): every artifact location is a valid RFC 3986 URI
reference, and the tool does not advertise an address that does not exist."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from compiler.diagnostics import Diagnostic
from compiler.report import sarif

# RFC 3986, section 4.2: relative-ref = relative-part [ "?" query ] [ "#" fragment ]; with
# no authority, relative-part is path-absolute / path-noscheme / path-empty, and a
# path-noscheme's first segment has no ":".
_PCHAR = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})"
_PCHAR_NC = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=@]|%[0-9A-Fa-f]{2})"
RELATIVE_REF = re.compile(rf"^(?:/{_PCHAR}+(?:/{_PCHAR}*)*|{_PCHAR_NC}+(?:/{_PCHAR}*)*)$")
FILE_URI = re.compile(rf"^file://(?:/{_PCHAR}*)+$")


def uri_of(path: str) -> str:
    log = json.loads(sarif([Diagnostic("yaml-syntax", "m", file=path, line=1)], version="0.1.0"))
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    uri: str = location["artifactLocation"]["uri"]
    return uri


@pytest.mark.parametrize("path", ["my specs/a b.yaml", "specs/a,b.yaml", "c:d.yaml",
                                  "specs/ü ñ.yaml", "100%.yaml", "a#b?.yaml", "./x.yaml",
                                  "dir\\sub\\x.yaml", "templates/order-shipped.yaml"])
def test_relative_paths_are_valid_relative_references(path: str) -> None:
    uri = uri_of(path)
    assert RELATIVE_REF.match(uri), uri
    assert unquote(uri) == path.replace("\\", "/").removeprefix("./")


def test_spaces_commas_and_colons_are_percent_encoded() -> None:
    assert uri_of("my specs/a b,c:d.yaml") == "my%20specs/a%20b%2Cc%3Ad.yaml"


def test_absolute_paths_become_file_uris(tmp_path: Path) -> None:
    path = tmp_path / "my specs" / "a b.yaml"
    uri = uri_of(str(path))
    assert FILE_URI.match(uri), uri
    assert uri == path.as_uri()


def test_relative_uris_name_their_base() -> None:
    log = json.loads(sarif([Diagnostic("yaml-syntax", "m", file="a.yaml", line=1)], version="0.1.0"))
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"


def test_no_made_up_information_uri() -> None:
    driver = json.loads(sarif([], version="0.1.0"))["runs"][0]["tool"]["driver"]
    assert "msgc.dev" not in json.dumps(driver) and "github.com/msgc" not in json.dumps(driver)
    assert driver["name"] == "msgc" and driver["version"] == "0.1.0"
