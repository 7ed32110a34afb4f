//! Rule 73: CSV rows are read against the same column definitions the format guide shows, and
//! every problem names its line in the file.

use super::*;

fn read_plantings(text: &str) -> Result<Vec<(usize, Planting)>, Vec<LineError>> {
    match read(ImportKind::Plantings, text.as_bytes())? {
        Requests::Plantings(v) => Ok(v),
        other => panic!("plantings read as {other:?}"),
    }
}

const HEADER: &str =
    "Name,Type,Count,Strain,Location,Sublocation,SourcePackage,SourcePlant,ActualDate";

#[test]
fn rule_73_the_example_file_is_read_by_the_parser_it_documents() {
    for kind in ImportKind::ALL {
        let example = kind.example_csv();
        let names: Vec<&str> = kind.columns().iter().map(|c| c.name).collect();
        assert!(example.starts_with(&names.join(",")), "{example}");
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
    for k in ImportKind::ALL {
        assert_eq!(ImportKind::parse(k.slug()), Some(*k));
        assert_eq!(
            ImportKind::parse(k.title()),
            Some(*k),
            "the tab's title too"
        );
    }
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

const PLANT_HEADER: &str = "PlantLabels,LocationName,SublocationName,AdditivesTemplateName,Rate,Volume,AdditiveType,ProductTradeName,ProductSupplier,ActiveIngredients,TotalAmountApplied,TotalAmountUnitOfMeasure,ActualDate";

fn read_plant_additives(text: &str) -> Result<Vec<(usize, PlantAdditiveRow)>, Vec<LineError>> {
    match read(ImportKind::PlantAdditives, text.as_bytes())? {
        Requests::PlantAdditives(v) => Ok(v),
        other => panic!("plant additives read as {other:?}"),
    }
}

#[test]
fn rule_73_plant_additive_rows_are_the_plants_or_the_location_request() {
    let text = format!(
        "{PLANT_HEADER}\n\
         1a4;1A5,,,,,,Fertilizer,Grow Big,FoxFarm,Nitrogen=6;Potash=4%,2.5,Gallons,2026-11-30\n\
         ,Greenhouse A,Shelf 1,Neem,2 ml/gal,5 gal,,,,,5,Liters,2026-11-29\n"
    );
    let rows = read_plant_additives(&text).expect("good file");
    let PlantAdditiveRow::Plants(p) = &rows[0].1 else {
        panic!("{rows:?}")
    };
    assert_eq!(p.plant_labels, ["1a4", "1A5"]);
    let Product::Direct(d) = &p.application.product else {
        panic!("{p:?}")
    };
    assert_eq!(d.active_ingredients.len(), 2);
    assert_eq!(d.active_ingredients[1].percentage, Some(Decimal::from(4)));
    assert_eq!(
        p.application.total_amount_applied,
        Some(Decimal::new(25, 1))
    );
    let PlantAdditiveRow::Location(l) = &rows[1].1 else {
        panic!("{rows:?}")
    };
    assert_eq!(rows[1].0, 3);
    assert_eq!(l.sublocation_name.as_deref(), Some("Shelf 1"));
    assert!(
        matches!(&l.application.product, Product::Template(t) if t.rate.as_deref() == Some("2 ml/gal"))
    );
    let preview = Requests::PlantAdditives(rows).changes(0, 10);
    assert_eq!(preview[0].target, "Plants 1A4, 1A5");
    assert_eq!(
        preview[0].change,
        "2.5 Gallons of Grow Big (Fertilizer, Nitrogen 6%, Potash 4%), applied 2026-11-30"
    );
    assert_eq!(
        preview[1].target,
        "Every growing plant at Greenhouse A / Shelf 1"
    );
}

#[test]
fn rule_73_an_additive_row_is_one_shape_or_its_line_is_named() {
    let text = format!(
        "{PLANT_HEADER}\n\
         1A4,Greenhouse A,,,,,Fertilizer,Grow Big,,,1,Gallons,2026-11-30\n\
         ,,,,,,Fertilizer,Grow Big,,,1,Gallons,2026-11-30\n\
         1A4,,,Neem,,,Fertilizer,,,,1,Gallons,2026-11-30\n\
         1A4,,,,2 ml,,Fertilizer,Grow Big,,,1,Gallons,2026-11-30\n\
         1A4,,,,,,Fertilizer,Grow Big,,Nitrogen,1,Gallons,2026-11-30\n\
         1A4,,Shelf 1,,,,Fertilizer,Grow Big,,,1,Gallons,2026-11-30\n"
    );
    let e = read_plant_additives(&text).expect_err("bad lines");
    let lines: Vec<usize> = e.iter().map(|x| x.line).collect();
    assert_eq!(lines, [2, 3, 4, 5, 6, 7], "{e:?}");
    assert!(e[0].message.contains("not both"), "{e:?}");
    assert!(e[1].message.contains("is required"), "{e:?}");
    assert!(e[2].message.contains("AdditiveType must be empty"), "{e:?}");
    assert!(e[3].message.contains("Rate goes with"), "{e:?}");
    assert!(e[4].message.contains("Name=Percent"), "{e:?}");
    assert!(e[5].message.contains("SublocationName goes with"), "{e:?}");
}

#[test]
fn rule_73_immature_plant_additive_rows_name_their_batch() {
    let text = "PlantBatchName,AdditiveType,ProductTradeName,TotalAmountApplied,TotalAmountUnitOfMeasure,ActualDate\n\
                Lot A,Other,Kelp,1.5,Liters,2026-11-30\n\
                Lot A,Other,Kelp,2,Liters,2026-11-30\n";
    let Requests::BatchAdditives(rows) =
        read(ImportKind::ImmaturePlantAdditives, text.as_bytes()).expect("good")
    else {
        panic!("batch additives")
    };
    assert_eq!(rows[1].1.plant_batch_name.as_deref(), Some("Lot A"));
    let totals = Requests::BatchAdditives(rows).totals();
    assert_eq!(
        totals,
        ["2 application(s) of Kelp: 3.5 Liters in all, on 1 plant batch(es)"]
    );
    let e = read(
        ImportKind::ImmaturePlantAdditives,
        b"AdditiveType,TotalAmountApplied,TotalAmountUnitOfMeasure,ActualDate\nOther,1,Liters,2026-11-30\n",
    )
    .expect_err("no batch column");
    assert!(e[0].message.contains("PlantBatchName is missing"), "{e:?}");
}
