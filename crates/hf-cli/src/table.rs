//! Plain-text tables, aligned as the Python CLI aligns them.

use std::fmt::Write as _;

/// A cell: text is left-aligned, numbers right-aligned (Python's `str.format` defaults).
pub(crate) enum Cell {
    /// Left-aligned.
    Text(String),
    /// Right-aligned.
    Num(usize),
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Num(n) => n.to_string(),
        }
    }
}

/// Python's `tabulate` helper of the CLI: each column as wide as its widest cell, a
/// dashed rule under the headers, every cell followed by one space.
pub(crate) fn tabulate(rows: Vec<Vec<Cell>>, headers: &[&str]) -> String {
    let width = |s: &str| s.chars().count();
    let mut widths: Vec<usize> = headers.iter().map(|h| width(h)).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(&cell.text()));
        }
    }
    let mut lines = Vec::with_capacity(rows.len() + 2);
    let header_cells: Vec<Cell> = headers
        .iter()
        .map(|h| Cell::Text((*h).to_owned()))
        .collect();
    let rule: Vec<Cell> = widths.iter().map(|w| Cell::Text("-".repeat(*w))).collect();
    for row in [header_cells, rule].iter().chain(rows.iter()) {
        let mut line = String::new();
        for (cell, w) in row.iter().zip(&widths) {
            match cell {
                Cell::Text(s) => write!(line, "{s:<w$} "),
                Cell::Num(n) => write!(line, "{n:>w$} "),
            }
            .expect("writing to a String cannot fail");
        }
        lines.push(line);
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabulate_matches_python_alignment() {
        let out = tabulate(
            vec![
                vec![Cell::Text("gpt2".into()), Cell::Num(5)],
                vec![Cell::Text("a/long-name".into()), Cell::Num(12)],
            ],
            &["REPO ID", "NB FILES"],
        );
        assert_eq!(
            out,
            "REPO ID     NB FILES \n\
             ----------- -------- \n\
             gpt2               5 \n\
             a/long-name       12 "
        );
    }
}
