//! Rule 73: CSV rows are read against the same column definitions the format guide shows, and
//! every problem names its line in the file.

use super::*;

fn read_plantings(text: &str) -> Result<Vec<(usize, Planting)>, Vec<LineError>> {
    match read(ImportKind::Plantings, text.as_bytes())? {
        Requests::Plantings(v) => Ok(v),
    }
}

const HEADER: &str =
    "Name,Type,Count,Strain,Location,Sublocation,SourcePackage,SourcePlant,ActualDate";

#[test]
fn rule_73_the_example_file_is_read_by_the_parser_it_documents() {
    for kind in ImportKind::ALL {
        let example = kind.example_csv();
        assert!(example.starts_with(HEADER), "{example}");
        let rows = read(*kind, example.as_bytes()).expect("the guide's example is a good file");
        assert_eq!(rows.len(), 1);
    }
}

#[test]
fn rule_73_rows_become_the_api_request_with_their_line() {
    let text = format!(
        "\u{feff}{HEADER}\r\nA,Clone,25,Sour Diesel,Greenhouse A,,TAG1,,2026-11-30\r\n\r\n\"B, second\",Seed,3,Sour Diesel,Greenhouse A,Bench 2,TAG2,,2026-11-29\n"
    );
    let rows = read_plantings(&text).expect("good file");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].0, 2);
    assert_eq!(rows[0].1.name.as_deref(), Some("A"));
    assert_eq!(rows[0].1.count, Some(25));
    assert_eq!(rows[0].1.sublocation, None, "an empty cell is no value");
    assert_eq!(rows[1].0, 4, "the blank line still counts");
    assert_eq!(rows[1].1.name.as_deref(), Some("B, second"));
    assert_eq!(rows[1].1.sublocation.as_deref(), Some("Bench 2"));
}

#[test]
fn rule_73_the_header_row_is_required_and_checked() {
    let e = read_plantings("A,Clone,25,Sour Diesel,Greenhouse A,,TAG1,,2026-11-30\n")
        .expect_err("no header");
    assert_eq!(e[0].line, 1);
    assert!(e[0].message.contains("header row"), "{e:?}");
    let e = read_plantings("Name,Type,Strain,Colour\nA,Clone,X,red\n").expect_err("bad header");
    assert_eq!(e.len(), 1);
    for words in [
        "Colour is not a column",
        "required column Count",
        "ActualDate",
    ] {
        assert!(e[0].message.contains(words), "{words}: {e:?}");
    }
    let e = read_plantings("").expect_err("empty");
    assert_eq!(e[0].line, 1);
    let e = read_plantings(&format!("{HEADER}\n")).expect_err("no rows");
    assert!(e[0].message.contains("no data rows"));
}

#[test]
fn rule_73_columns_may_come_in_any_order_and_case() {
    let rows = read_plantings(
        "actualdate,COUNT,name,type,strain,location,Source Package\n2026-11-30,4,A,Clone,S,L,T\n",
    )
    .expect("reordered header");
    assert_eq!(rows[0].1.count, Some(4));
    assert_eq!(rows[0].1.source_package.as_deref(), Some("T"));
}

#[test]
fn rule_73_formats_are_checked_and_every_bad_line_is_named() {
    let text = format!(
        "{HEADER}\n\
         A,Clone,25,S,L,,T,,2026-11-30\n\
         B,Clone,2.5,S,L,,T,,2026-11-30\n\
         C,Clone,3,S,L,,T,,30/11/2026\n\
         D,Clone,3,S,L,,T,,2026-11-30,extra\n\
         ,Clone,,S,L,,T,,2026-11-30\n"
    );
    let e = read_plantings(&text).expect_err("bad lines");
    let lines: Vec<usize> = e.iter().map(|x| x.line).collect();
    assert_eq!(lines, [3, 4, 5, 6]);
    assert!(
        e[0].message.contains("Count \"2.5\" is not a whole number"),
        "{e:?}"
    );
    assert!(e[1].message.contains("YYYY-MM-DD"), "{e:?}");
    assert!(e[2].message.contains("10 cells"), "{e:?}");
    assert!(e[3].message.contains("Name is required"), "{e:?}");
    assert!(e[3].message.contains("Count is required"), "{e:?}");
    assert_eq!(e[0].text(), format!("Line 3: {}", e[0].message));
}

#[test]
fn rule_73_files_that_are_not_text_are_refused() {
    let e = read(ImportKind::Plantings, &[0xff, 0xfe, 0x00]).expect_err("not UTF-8");
    assert!(e[0].message.contains("UTF-8"));
    let e =
        read_plantings(&format!("{HEADER}\nA\0,Clone,1,S,L,,T,,2026-11-30\n")).expect_err("NUL");
    assert_eq!(e[0].line, 2);
}

#[test]
fn decimals_are_plain() {
    assert_eq!(
        cell(Format::Decimal, "2.50"),
        Some(Cell::Decimal(Decimal::new(250, 2)))
    );
    assert_eq!(cell(Format::Decimal, "1e3"), None);
    assert_eq!(cell(Format::Decimal, "1,000"), None);
    assert_eq!(cell(Format::Date, "2026-1-3"), None);
}

#[test]
fn kinds_are_found_by_slug() {
    assert_eq!(ImportKind::parse("Plantings"), Some(ImportKind::Plantings));
    assert_eq!(ImportKind::parse("nope"), None);
}

#[test]
fn rule_73_a_file_of_the_most_rows_is_read_in_one_pass_with_its_last_line_named() {
    let mut text = String::from(HEADER);
    for i in 0..MAX_ROWS {
        text.push_str(&format!("\nLot {i},Clone,1,S,L,,T,,2026-11-30"));
    }
    let rows = read_plantings(&text).expect("the largest file");
    assert_eq!(rows.last().map(|r| r.0), Some(MAX_ROWS + 1));
    text.push_str("\nLot x,Clone,1,S,L,,T,,2026-11-30");
    let e = read_plantings(&text).expect_err("one row too many");
    assert!(e[0].message.contains("more than"), "{e:?}");
}
