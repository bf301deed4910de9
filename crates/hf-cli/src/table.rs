//! Plain-text tables, aligned as the Python CLI aligns them.

use std::fmt::Write as _;

/// A cell: text is left-aligned, numbers right-aligned (Python's `str.format` defaults).
pub(crate) enum Cell {
    /// Left-aligned.
    Text(String),
    /// Right-aligned.
    Num(usize),
    /// Right-aligned text (sizes in the newest Python CLI's tables).
    Right(String),
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(s) | Cell::Right(s) => s.clone(),
            Cell::Num(n) => n.to_string(),
        }
    }
}

/// Python's `tabulate` helper of the CLI (0.26.5): each column as wide as its widest
/// cell, a dashed rule under the headers, every cell followed by one space.
pub(crate) fn tabulate(rows: Vec<Vec<Cell>>, headers: &[&str]) -> String {
    render(rows, headers, true)
}

/// The newest Python CLI's tables (`hf cache ls`): as [`tabulate`], with the cells of
/// a line joined by one space and no space after the last one.
pub(crate) fn tabulate_joined(rows: Vec<Vec<Cell>>, headers: &[&str]) -> String {
    render(rows, headers, false)
}

fn render(rows: Vec<Vec<Cell>>, headers: &[&str], trailing_space: bool) -> String {
    let width = |s: &str| s.chars().count();
    let mut widths: Vec<usize> = headers.iter().map(|h| width(h)).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(&cell.text()));
        }
    }
    let mut lines = Vec::with_capacity(rows.len() + 2);
    // The newest CLI aligns a header as its column; 0.26.5 left-aligned them all.
    let right_aligned = |i: usize| {
        !trailing_space
            && rows
                .first()
                .and_then(|r| r.get(i))
                .is_some_and(|c| !matches!(c, Cell::Text(_)))
    };
    let header_cells: Vec<Cell> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            if right_aligned(i) {
                Cell::Right((*h).to_owned())
            } else {
                Cell::Text((*h).to_owned())
            }
        })
        .collect();
    let rule: Vec<Cell> = widths.iter().map(|w| Cell::Text("-".repeat(*w))).collect();
    for row in [header_cells, rule].iter().chain(rows.iter()) {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(&widths).enumerate() {
            if i > 0 && !trailing_space {
                line.push(' ');
            }
            match cell {
                Cell::Text(s) => write!(line, "{s:<w$}"),
                Cell::Num(n) => write!(line, "{n:>w$}"),
                Cell::Right(s) => write!(line, "{s:>w$}"),
            }
            .expect("writing to a String cannot fail");
            if trailing_space {
                line.push(' ');
            }
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

    #[test]
    fn joined_tables_have_no_trailing_space() {
        let out = tabulate_joined(
            vec![
                vec![Cell::Text("model/gpt2".into()), Cell::Right("2.0K".into())],
                vec![
                    Cell::Text("dataset/a/b".into()),
                    Cell::Right("500.0".into()),
                ],
            ],
            &["ID", "SIZE"],
        );
        assert_eq!(
            out,
            "ID           SIZE\n\
             ----------- -----\n\
             model/gpt2   2.0K\n\
             dataset/a/b 500.0"
        );
    }
}
