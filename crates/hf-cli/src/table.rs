//! Plain-text tables, aligned as the Python CLI aligns them.

use std::fmt::Write as _;

/// A cell: text is left-aligned, numbers right-aligned (Python's `str.format` defaults).
#[derive(Clone)]
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

/// Shortens cells so that a [`tabulate_joined`] table fits in `width` columns, as the
/// newest Python CLI does: the widest column loses a character at a time, down to its
/// header's width (at least 4), and a shortened cell ends in `...`. Returns whether a
/// cell was shortened.
pub(crate) fn fit(rows: &mut [Vec<Cell>], headers: &[&str], width: usize) -> bool {
    let len = |s: &str| s.chars().count();
    let mut caps: Vec<usize> = headers.iter().map(|h| len(h)).collect();
    for row in rows.iter() {
        for (cap, cell) in caps.iter_mut().zip(row) {
            *cap = (*cap).max(len(&cell.text()));
        }
    }
    let budget = width.saturating_sub(headers.len().saturating_sub(1));
    if caps.iter().sum::<usize>() <= budget {
        return false;
    }
    let floors: Vec<usize> = headers.iter().map(|h| len(h).max(4)).collect();
    while caps.iter().sum::<usize>() > budget {
        // The first of the widest columns still above its floor.
        let widest = (0..caps.len()).filter(|&i| caps[i] > floors[i]).fold(
            None,
            |best: Option<usize>, i| match best {
                Some(b) if caps[b] >= caps[i] => Some(b),
                _ => Some(i),
            },
        );
        let Some(i) = widest else { break };
        caps[i] -= 1;
    }
    let mut shortened = false;
    for row in rows.iter_mut() {
        for (cell, &cap) in row.iter_mut().zip(&caps) {
            let text = cell.text();
            if len(&text) > cap {
                shortened = true;
                let kept: String = text.chars().take(cap.saturating_sub(3)).collect();
                let short = format!("{kept}...");
                *cell = match cell {
                    Cell::Right(_) => Cell::Right(short),
                    _ => Cell::Text(short),
                };
            }
        }
    }
    shortened
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
    fn fit_shortens_the_widest_column_first() {
        let row = |a: &str, b: &str| vec![Cell::Text(a.into()), Cell::Text(b.into())];
        let mut rows = vec![row("model/a-very-long-repo-name", "main"), row("x", "v1")];
        // 27 + 4 + 1 separator: fits in 32, not in 20.
        assert!(!fit(&mut rows.clone(), &["ID", "REFS"], 32));
        assert!(fit(&mut rows, &["ID", "REFS"], 20));
        assert_eq!(rows[0][0].text(), "model/a-very...");
        assert_eq!(rows[1][0].text(), "x");
        assert_eq!(rows[0][1].text(), "main");
        // Columns stop at their floor: the table then overflows.
        let mut rows = vec![row("abcdefgh", "abcdefgh")];
        assert!(fit(&mut rows, &["ID", "REFS"], 5));
        assert_eq!(
            (rows[0][0].text(), rows[0][1].text()),
            ("a...".into(), "a...".into())
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
