"""Athena's result `.csv` read back exactly as written: `parse_csv(render_csv(...))` gives the same
header and rows, NULL (an empty unquoted field) apart from the empty string (`""`), with quotes,
commas, tabs, carriage returns and newlines inside values."""

from __future__ import annotations

from lakebox.services.athena.results import parse_csv, read_csv_rows, render_csv


def test_render_then_parse_gives_back_every_value():
    values = [None, "", "plain", 'a "quoted" word', "a,b", "line\nbreak", "cr\r\nlf", "tab\there", '"', '""',
              ",", "\n", "é ✓"]
    rows = [[str(n), values[n % len(values)], values[(n * 7) % len(values)]] for n in range(3000)]
    columns = [{"Name": "n"}, {"Name": "a"}, {"Label": "b b", "Name": "b"}]
    assert parse_csv(render_csv(columns, rows)) == [["n", "a", "b b"], *rows]


def test_a_single_column_of_nulls_and_a_file_without_final_newline():
    assert parse_csv(b'"x"\n\n"1"\n\n') == [["x"], [None], ["1"], [None]]
    assert parse_csv(b'"x","y"\n"1",') == [["x", "y"], ["1", None]]
    assert parse_csv(b"") == []


def test_rows_read_for_paging_slice_like_a_list():
    rows = [[str(n), None if n % 3 == 0 else f'v "{n}"\n'] for n in range(2500)]
    body = render_csv([{"Name": "n"}, {"Name": "v"}], rows)
    paged = read_csv_rows(body)
    expected = [["n", "v"], *rows]
    assert len(paged) == len(expected)
    assert [row for start in range(0, len(paged), 1000) for row in paged[start:start + 1000]] == expected
    assert paged[1] == expected[1] and paged[-1] == expected[-1] and paged[2400:9999] == expected[2400:]


def test_a_hand_written_file_with_uneven_rows_is_still_read():
    assert parse_csv(b'"a","b"\n"1"\n"2","3",""\n') == [["a", "b"], ["1"], ["2", "3", ""]]
