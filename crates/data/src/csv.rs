//! User data: 2-D points with class labels from a CSV file (`x1,x2,label` with a header), checked
//! row by row.

use std::path::Path;

use ndarray::Array2;

use crate::error::DataError;

/// Most rows accepted (the chapter's plots and grid are made for thousands, not billions).
pub const MAX_ROWS: usize = 1 << 22;
/// Largest file accepted (far more than `MAX_ROWS` rows of numbers need).
pub const MAX_BYTES: u64 = 1 << 28;
/// Most classes accepted (the decision boundary draws at most 256).
pub const MAX_CLASSES: usize = 256;
/// Bad rows listed in an error before "and N more".
const LISTED: usize = 5;

/// Labelled 2-D points.
#[derive(Debug, Clone, PartialEq)]
pub struct LabeledPoints {
    /// Points, `N x 2`.
    pub x: Array2<f64>,
    /// Class of each point, `0..classes`.
    pub labels: Vec<usize>,
    /// Number of classes: the largest label + 1.
    pub classes: usize,
}

impl LabeledPoints {
    /// The labels one-hot (`N x classes`), like the spiral's `t`.
    pub fn one_hot(&self) -> Array2<i32> {
        let mut t = Array2::zeros((self.labels.len(), self.classes));
        for (row, &c) in self.labels.iter().enumerate() {
            t[[row, c]] = 1;
        }
        t
    }
}

/// Reads a CSV file of `x1,x2,label` rows under a header line.
pub fn load_csv(path: &Path) -> Result<LabeledPoints, DataError> {
    let bytes = crate::read_bounded(path, MAX_BYTES)
        .map_err(|source| DataError::Io {
            path: path.to_path_buf(),
            source,
        })?
        .ok_or_else(|| DataError::TooLarge {
            path: path.to_path_buf(),
            limit: MAX_BYTES,
        })?;
    parse_csv(&bytes).map_err(|e| match e {
        DataError::Csv { path: _, reason } => DataError::Csv {
            path: path.to_path_buf(),
            reason,
        },
        other => other,
    })
}

/// Parses CSV bytes: a header naming the columns `x1,x2,label`, then one point per line (blank
/// lines are skipped). Every bad row is reported by line number; any bytes give a value or an error.
pub fn parse_csv(bytes: &[u8]) -> Result<LabeledPoints, DataError> {
    let err = |reason: String| DataError::Csv {
        path: "<input>".into(),
        reason,
    };
    let text = std::str::from_utf8(bytes).map_err(|e| err(format!("not UTF-8 text ({e})")))?;
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines
        .next()
        .ok_or_else(|| err("the file is empty".to_string()))?;
    // numpy's `savetxt(..., header="x1,x2,label")` writes the header after its comment mark "# ".
    let names: Vec<String> = header
        .trim_start_matches('\u{feff}')
        .trim_start()
        .trim_start_matches('#')
        .split(',')
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    if names != ["x1", "x2", "label"] {
        return Err(err(format!(
            "line 1: the header must be 'x1,x2,label', not '{}'",
            quote(header.trim())
        )));
    }
    let mut xs = Vec::new();
    let mut labels = Vec::new();
    let mut bad: Vec<String> = Vec::new();
    let mut bad_count = 0usize;
    for (i, line) in lines {
        let n = i + 1;
        if labels.len() >= MAX_ROWS {
            return Err(err(format!("more than {MAX_ROWS} rows")));
        }
        match parse_row(line) {
            Ok((a, b, c)) => {
                xs.push(a);
                xs.push(b);
                labels.push(c);
            }
            Err(why) => {
                bad_count += 1;
                if bad.len() < LISTED {
                    bad.push(format!("line {n}: {why}"));
                }
            }
        }
    }
    if bad_count > 0 {
        let more = if bad_count > LISTED {
            format!(" (and {} more bad rows)", bad_count - LISTED)
        } else {
            String::new()
        };
        return Err(err(format!("{}{more}", bad.join("; "))));
    }
    if labels.is_empty() {
        return Err(err("no data rows after the header".to_string()));
    }
    let classes = labels.iter().max().map_or(0, |m| m + 1);
    let x = Array2::from_shape_vec((labels.len(), 2), xs).expect("two values per row");
    Ok(LabeledPoints { x, labels, classes })
}

fn parse_row(line: &str) -> Result<(f64, f64, usize), String> {
    let fields: Vec<&str> = line.split(',').map(str::trim).collect();
    if fields.len() != 3 {
        return Err(format!("expected 3 fields, found {}", fields.len()));
    }
    let num = |s: &str, name: &str| -> Result<f64, String> {
        let v: f64 = s
            .parse()
            .map_err(|_| format!("{name} '{}' is not a number", quote(s)))?;
        if v.is_finite() {
            Ok(v)
        } else {
            Err(format!("{name} '{}' is not finite", quote(s)))
        }
    };
    let a = num(fields[0], "x1")?;
    let b = num(fields[1], "x2")?;
    let label = class_number(fields[2]).ok_or_else(|| {
        format!(
            "label '{}' is not a class number 0, 1, 2, ...",
            quote(fields[2])
        )
    })?;
    if label >= MAX_CLASSES {
        return Err(format!(
            "label {label} is too large (at most {} classes)",
            MAX_CLASSES
        ));
    }
    Ok((a, b, label))
}

/// A class number written as an integer (`2`) or as a float with no fraction (`2.0`,
/// `2.000000000000000000e+00`, numpy's `savetxt` default); `None` for anything else. A float past
/// every class limit comes back as `usize::MAX`, which the caller refuses as too large.
fn class_number(field: &str) -> Option<usize> {
    if let Ok(n) = field.parse::<usize>() {
        return Some(n);
    }
    let v: f64 = field.parse().ok()?;
    if !v.is_finite() || v < 0.0 || v.fract() != 0.0 {
        return None;
    }
    // Exact below 2^53; above it the value is far past any class limit anyway.
    Some(if v < 9.0e15 { v as usize } else { usize::MAX })
}

/// Longest piece of a file's text an error message quotes.
const QUOTE_MAX: usize = 40;

/// A piece of the file as an error message may quote it: control and formatting characters
/// escaped (they could reprogram a terminal), cut to [`QUOTE_MAX`] characters with `...`.
fn quote(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == QUOTE_MAX {
            out.push_str("...");
            break;
        }
        if c.is_control()
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod quote_tests {
    use super::*;

    #[test]
    fn quoted_text_is_escaped_and_cut() {
        assert_eq!(quote("a\u{1b}]0;x\u{7}b"), "a\\u{1b}]0;x\\u{7}b");
        let long = "y".repeat(1000);
        assert_eq!(quote(&long), format!("{}...", "y".repeat(QUOTE_MAX)));
        let e = parse_csv(format!("{long}\n1,2,0\n").as_bytes())
            .unwrap_err()
            .to_string();
        assert!(e.len() < 200, "{e}");
    }
}
