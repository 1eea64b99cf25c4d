"""The recipients reader: CSV and JSON Lines edge cases, located problems, streaming."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.diagnostics import MsgcError
from compiler.sending.recipients import RecipientsFile, normalize_phone

VARS = ["name", "code"]


def read(tmp_path: Path, content: str | bytes, name: str = "r.csv", **kw: object
         ) -> list:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return list(RecipientsFile(path, VARS, **kw))  # type: ignore[arg-type]


@pytest.mark.parametrize(("raw", "phone"), [
    ("79001234567", "79001234567"),
    ("+7 (900) 123-45-67", "79001234567"),
    ("  +44 20.7946.0958 ", "442079460958"),
    (79001234567, "79001234567"),
    ("1234567", "1234567"),
    ("123456789012345", "123456789012345"),
    ("123456", None),
    ("1234567890123456", None),
    ("79OO1234567", None),
    ("٧٩٠٠١٢٣٤٥٦٧", None),  # non-ASCII digits
    ("", None),
    (True, None),
    (7.9e10, None),
])
def test_phone_normalisation(raw: object, phone: str | None) -> None:
    assert normalize_phone(raw) == phone


def test_csv_bom_crlf_quotes_and_newlines(tmp_path: Path) -> None:
    content = ('\ufeffphone,name,code\r\n'
               '+7 900 000-00-01,"Smith, Ann",1\r\n'
               '79000000002,"two\r\nlines ""quoted""",2\r\n'
               '\r\n'
               '79000000003,Bo,\r\n')
    rows = read(tmp_path, content)
    assert [(r.row, r.line, r.phone) for r in rows] == [
        (1, 2, "79000000001"), (2, 3, "79000000002"), (3, 6, "79000000003")]
    assert rows[0].values == {"name": "Smith, Ann", "code": "1"}
    assert rows[1].values["name"] == 'two\r\nlines "quoted"'
    assert rows[2].values == {"name": "Bo"}  # an empty cell is "no value"
    assert all(r.problem is None for r in rows)


def test_csv_bad_rows_are_located_and_the_rest_read(tmp_path: Path) -> None:
    content = ("phone,name\n"
               "79000000001,Ann\n"
               "79000000002\n"            # ragged: too few
               "79000000003,Bo,extra\n"   # ragged: too many
               "12ab,Cy\n"                # bad phone
               ",,\n"                     # blank row: skipped, no number
               ",Dee\n"                   # no phone
               "79000000004,Ed\n")
    rows = read(tmp_path, content)
    assert [(r.row, r.line, r.rule) for r in rows] == [
        (1, 2, None), (2, 3, "recipients-ragged-row"), (3, 4, "recipients-ragged-row"),
        (4, 5, "recipients-bad-phone"), (5, 7, "recipients-bad-phone"), (6, 8, None)]
    assert "the row has 1 fields; the header has 2" in rows[1].problem
    assert "'12ab' is not a phone number" in rows[3].problem
    assert rows[4].problem == "no phone number"


def test_locale_column(tmp_path: Path) -> None:
    rows = read(tmp_path, "phone,locale,name\n79000000001,ru,Ann\n79000000002,,Bo\n")
    assert [r.locale for r in rows] == ["ru", None]
    assert rows[0].values == {"name": "Ann"}


@pytest.mark.parametrize(("content", "rule", "text"), [
    ("name,code\nAnn,1\n", "recipients-no-phone", "no `phone` column"),
    ("Phone,name\n1234567,Ann\n", "recipients-no-phone", "did you mean 'Phone'?"),
    ("phone,nmae\n1234567,Ann\n", "recipients-unknown-column", "did you mean 'name'?"),
    ("phone,name,name\n1234567,Ann,Bo\n", "recipients-header", "appears twice"),
    ("phone,,name\n1234567,,Ann\n", "recipients-header", "column 2 has no name"),
    ("", "recipients-empty", "no header row"),
])
def test_whole_file_problems_come_first(tmp_path: Path, content: str, rule: str,
                                        text: str) -> None:
    with pytest.raises(MsgcError) as info:
        read(tmp_path, content)
    diag = info.value.diagnostics[0]
    assert diag.rule == rule and text in (diag.message + str(diag.hint))
    assert diag.file and diag.file.endswith("r.csv") and diag.line == 1


def test_extra_columns_can_be_ignored(tmp_path: Path) -> None:
    rows = read(tmp_path, "phone,name,crm_id\n79000000001,Ann,77\n", ignore_extra=True)
    assert rows[0].values == {"name": "Ann"}


def test_invalid_utf8_is_located(tmp_path: Path) -> None:
    from compiler.sending.recipients import fingerprint

    path = tmp_path / "r.csv"
    path.write_bytes(b"phone,name\n79000000001,Ann\n79000000002,B\xe9\n")
    with pytest.raises(MsgcError) as info:
        fingerprint(path)
    assert info.value.diagnostics[0].line == 3


def test_jsonl(tmp_path: Path) -> None:
    content = ('{"phone": "+7 900 000 00 01", "name": "Ann", "code": 7}\n'
               '\n'
               'not json\n'
               '[1, 2]\n'
               '{"phone": 79000000002, "name": "Bo", "locale": "ru"}\n'
               '{"phone": "79000000003", "nmae": "Cy"}\n'
               '{"phone": "79000000004", "locale": 5}\n')
    rows = read(tmp_path, content, name="r.jsonl")
    assert [(r.row, r.line, r.phone, r.rule) for r in rows] == [
        (1, 1, "79000000001", None), (2, 3, None, "recipients-json"),
        (3, 4, None, "recipients-json"), (4, 5, "79000000002", None),
        (5, 6, None, "recipients-unknown-column"), (6, 7, None, "recipients-locale")]
    assert rows[0].values == {"name": "Ann", "code": 7}  # JSON types kept
    assert rows[3].locale == "ru"
    assert "did you mean 'name'?" in rows[4].problem


def test_jsonl_first_record_is_checked_up_front(tmp_path: Path) -> None:
    with pytest.raises(MsgcError) as info:
        read(tmp_path, '{"phone": "79000000001", "nmae": "Ann"}\n', name="r.jsonl")
    assert info.value.diagnostics[0].rule == "recipients-unknown-column"


def test_rows_are_streamed(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("w") as fh:
        fh.write("phone,name\n")
        for i in range(200_000):
            fh.write(f"7900{i:07d},Name {i}\n")
    reader = RecipientsFile(path, VARS)
    rows = iter(reader)
    first = next(rows)
    assert first.row == 1
    assert 0 < reader.bytes_read < reader.size / 2  # only a buffer's worth was read
    assert sum(1 for _ in rows) == 199_999
    assert reader.bytes_read == reader.size


# -- D5: a file that is not UTF-8 is a located error, never a crash ------------------------

@pytest.mark.parametrize(("content", "line"), [
    (b"phone,name\n79000000001,Ann\n79000000002,B\xe9a\n", 3),   # latin-1 in a row
    (b"phone,n\xe4me\n79000000001,Ann\n", 1),                    # in the header
    (b"phone,name\n" + b"79000000001,Ann\n" * 70000 + b"7,\xff\n", 70002),  # past 1 MiB
])
def test_not_utf8_is_located_up_front(tmp_path: Path, content: bytes, line: int) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(content)
    bad = next(i for i, b in enumerate(content) if b >= 0x80)
    column = bad - content.rfind(b"\n", 0, bad)
    with pytest.raises(MsgcError) as info:
        RecipientsFile(path, VARS)
    [diag] = info.value.diagnostics
    assert (diag.rule, diag.line) == ("recipients-encoding", line)
    assert diag.format().startswith(
        f"{path}:{line}: error: not UTF-8 at byte {bad + 1} (0x{content[bad]:02x}, byte "
        f"{column} of the line); save the file as UTF-8")


@pytest.mark.parametrize("bom", [b"\xff\xfe", b"\xfe\xff"])
def test_a_utf16_file_is_refused_clearly(tmp_path: Path, bom: bytes) -> None:
    path = tmp_path / "r.csv"
    encoding = "utf-16-le" if bom == b"\xff\xfe" else "utf-16-be"
    path.write_bytes(bom + "phone,name\n79000000001,Ann\n".encode(encoding))
    with pytest.raises(MsgcError) as info:
        RecipientsFile(path, VARS)
    [diag] = info.value.diagnostics
    assert diag.rule == "recipients-encoding" and diag.line == 1
    assert "UTF-16" in diag.message and "save the file as UTF-8" in diag.message


def test_a_file_cut_in_the_middle_of_a_character(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_bytes('{"phone": "79000000001", "name": "Zo\u00eb"}\n{"name": "\u00e9'
                     .encode()[:-1])
    with pytest.raises(MsgcError) as info:
        RecipientsFile(path, VARS)
    assert "not UTF-8" in info.value.diagnostics[0].message
    assert info.value.diagnostics[0].line == 2


# -- D7: an unbalanced quote is an error where it opened; no row is silently lost ----------

def test_an_unclosed_quote_is_an_error_at_the_line_where_it_opened(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text('phone,name\n79000000001,Ann\n79000000002,"Bo\n79000000003,Cy\n'
                    '79000000004,Di\n79000000005,Ed\n', "utf-8")
    with pytest.raises(MsgcError) as info:
        RecipientsFile(path, VARS)
    [diag] = info.value.diagnostics
    assert (diag.rule, diag.line) == ("recipients-csv", 3)
    assert "quote opened on line 3 is never closed" in diag.message
    assert "lines 3-6" in diag.message


def test_text_after_a_closing_quote_is_an_error_where_the_quote_opened(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text('phone,name\n79000000001,Ann\n79000000002,"Bo\n79000000003,Cy"x\n'
                    '79000000004,Di\n', "utf-8")
    with pytest.raises(MsgcError) as info:
        RecipientsFile(path, VARS)
    [diag] = info.value.diagnostics
    assert (diag.rule, diag.line) == ("recipients-csv", 3)
    assert "closes on line 4" in diag.message and '""' in (diag.hint or "")


def test_rows_counted_match_the_file(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text('phone,name\n79000000001,"multi\nline"\n\n79000000002,"a ""b"""\n'
                    '79000000003,C\n', "utf-8")
    reader = RecipientsFile(path, VARS)
    assert reader.rows == 3
    assert [(r.row, r.line, r.values["name"]) for r in reader] == [
        (1, 2, "multi\nline"), (2, 5, 'a "b"'), (3, 6, "C")]
