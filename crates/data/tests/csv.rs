//! The CSV loader: good files, every kind of bad row with its line number, and arbitrary bytes.

use data::DataError;
use data::csv::{load_csv, parse_csv};
use proptest::prelude::*;

fn reason(bytes: &str) -> String {
    match parse_csv(bytes.as_bytes()) {
        Err(DataError::Csv { reason, .. }) => reason,
        other => panic!("expected a CSV error, got {other:?}"),
    }
}

#[test]
fn a_good_file_loads_with_its_class_count() {
    let p = parse_csv(b"x1,x2,label\n0.5,-1,0\n\n1e-3, 2.5 ,2\n-0.0,0,1\n").unwrap();
    assert_eq!(p.x.dim(), (3, 2));
    assert_eq!(p.labels, [0, 2, 1]);
    assert_eq!(p.classes, 3);
    assert_eq!(p.x[[1, 0]], 1e-3);
    assert_eq!(p.one_hot().row(1).to_vec(), [0, 0, 1]);
}

#[test]
fn numpy_savetxt_output_loads_with_its_float_labels() {
    // np.savetxt(f, np.c_[x, t], delimiter=",", header="x1,x2,label"): a "# " before the header,
    // every value (the labels too) in %.18e.
    let text = "# x1,x2,label\n\
        -1.000000000000000056e-01,2.500000000000000000e-01,0.000000000000000000e+00\n\
        3.000000000000000000e+00,-4.000000000000000000e+00,2.000000000000000000e+00\n\
        5.000000000000000000e-01,5.000000000000000000e-01,1.0\n";
    let p = parse_csv(text.as_bytes()).unwrap();
    assert_eq!(p.labels, [0, 2, 1]);
    assert_eq!(p.classes, 3);
    assert_eq!(p.x[[0, 0]], -0.1);
    // A fraction, a negative, an infinity or a huge float is still no class number.
    for bad in ["1.5", "-1.0", "inf", "1e300", "2.0000001"] {
        let r = reason(&format!("x1,x2,label\n1,2,{bad}\n"));
        assert!(
            r.contains("is not a class number") || r.contains("too large"),
            "{bad}: {r}"
        );
    }
    assert!(reason("x1,x2,label\n1,2,1e300\n").contains("too large"));
}

#[test]
fn bad_rows_are_reported_by_line_number() {
    let r = reason("x1,x2,label\n1,2,0\n1,2\nfoo,2,1\n1,2,-1\n1,nan,0\n1,2,1.5\n,,\n");
    assert!(r.contains("line 3: expected 3 fields, found 2"), "{r}");
    assert!(r.contains("line 4: x1 'foo' is not a number"), "{r}");
    assert!(
        r.contains("line 5: label '-1' is not a class number"),
        "{r}"
    );
    assert!(r.contains("line 6: x2 'nan' is not finite"), "{r}");
    assert!(r.contains("(and 1 more bad rows)"), "{r}");
    assert!(!r.contains("line 8"), "five rows are listed, not six: {r}");
    // Exactly five bad rows: all listed, and no "more".
    let r = reason("x1,x2,label\n1,2\n1,2\n1,2\n1,2\n1,2\n");
    assert!(r.contains("line 6") && !r.contains("more bad rows"), "{r}");
    assert!(reason("x1,x2,label\n1,2,999\n").contains("too large"));
}

#[test]
fn the_largest_label_is_one_below_the_class_limit() {
    use data::csv::MAX_CLASSES;
    let last = MAX_CLASSES - 1;
    let p = parse_csv(format!("x1,x2,label\n1,2,{last}\n").as_bytes()).unwrap();
    assert_eq!((p.labels[0], p.classes), (last, MAX_CLASSES));
    let r = reason(&format!("x1,x2,label\n1,2,{MAX_CLASSES}\n"));
    assert!(
        r.contains(&format!(
            "label {MAX_CLASSES} is too large (at most {MAX_CLASSES} classes)"
        )),
        "{r}"
    );
}

#[test]
fn header_and_emptiness_are_checked() {
    assert!(reason("").contains("empty"));
    assert!(reason("a,b,c\n1,2,0\n").contains("header must be 'x1,x2,label'"));
    assert!(reason("x1,x2,label\n").contains("no data rows"));
    assert!(reason("x1,x2,label\n\u{0}\u{1}").contains("line 2"));
    let e = parse_csv(&[0xff, 0xfe, 0x00]).unwrap_err();
    assert!(e.to_string().contains("not UTF-8"), "{e}");
}

#[test]
fn a_missing_file_is_an_io_error_naming_it() {
    let e = load_csv(std::path::Path::new("/nonexistent/points.csv")).unwrap_err();
    assert!(matches!(e, DataError::Io { .. }));
    assert!(
        e.to_string()
            .starts_with("cannot read /nonexistent/points.csv"),
        "{e}"
    );
    let dir = std::env::temp_dir().join(format!("dlfs2-csv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("bad.csv");
    std::fs::write(&f, "x1,x2,label\n1,2\n").unwrap();
    let e = load_csv(&f).unwrap_err();
    assert!(
        e.to_string()
            .starts_with(&format!("{}: line 2", f.display())),
        "{e}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_bytes_give_points_or_an_error(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_csv(&bytes);
    }

    #[test]
    fn csv_like_text_never_panics(body in "x1,x2,label\n([-0-9.e,a-z ]{0,12}\n){0,20}") {
        if let Ok(p) = parse_csv(body.as_bytes()) {
            prop_assert_eq!(p.x.nrows(), p.labels.len());
            prop_assert!(p.labels.iter().all(|&l| l < p.classes));
        }
    }
}
