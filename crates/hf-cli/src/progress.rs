//! Progress bars (indicatif) driven by `hf-api`'s progress events, drawn on stderr and
//! only for a person watching a terminal.

use std::collections::HashMap;
use std::io::IsTerminal as _;
use std::sync::{Arc, Mutex, PoisonError};

use hf_api::progress::{Progress, ProgressEvent, ProgressHandler};
use hf_api::upload::TransferEvent;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Whether progress bars are drawn: not with `--quiet`, not when stdout is not a terminal
/// (a pipe or a file gets only the results), not with `HF_HUB_DISABLE_PROGRESS_BARS`.
pub(crate) fn enabled(quiet: bool, disabled_by_env: bool) -> bool {
    !quiet && !disabled_by_env && std::io::stdout().is_terminal()
}

// The bar takes what the terminal's width leaves (a line wider than the terminal would
// wrap, and each bar would take two rows of an 80-column terminal).
const FILE_TEMPLATE: &str =
    "{msg:24!} {wide_bar:.cyan/blue} {bytes:>10}/{total_bytes:<10} {bytes_per_sec:>12} {eta:>3}";
const TOTAL_TEMPLATE: &str =
    "{msg:24!} {wide_bar:.green/white} {bytes:>10}/{total_bytes:<10} {bytes_per_sec:>12} {eta:>3}";

/// The bars on screen, if any, so that log lines (a warning, a retry notice) are printed
/// above them rather than into them.
static ON_SCREEN: Mutex<Option<MultiProgress>> = Mutex::new(None);

/// Stderr for log lines: while bars are drawn, they are hidden for the time of the write
/// and drawn again below the line.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LogWriter;

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let drawn = ON_SCREEN
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let mut err = std::io::stderr();
        match drawn {
            Some(multi) => multi.suspend(|| err.write_all(buf))?,
            None => err.write_all(buf)?,
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// Width of the name column of the templates.
const NAME_WIDTH: usize = 24;

/// A file's path for its bar: its end when it is too long, where the file name is
/// (`...-00001-of-00002.safetensors`).
fn name_to_show(path: &str) -> String {
    let chars = path.chars().count();
    if chars <= NAME_WIDTH {
        return path.to_owned();
    }
    let tail: String = path.chars().skip(chars - (NAME_WIDTH - 3)).collect();
    format!("...{tail}")
}

/// Draws one bar per file in transfer, plus a total for a snapshot.
#[derive(Debug)]
pub(crate) struct Bars {
    multi: MultiProgress,
    files: Mutex<HashMap<String, ProgressBar>>,
    total: Mutex<Option<ProgressBar>>,
}

impl Bars {
    /// A handler for `hf-api`, or `None` when progress is off.
    pub(crate) fn handler(on: bool) -> Option<(Arc<Bars>, ProgressHandler)> {
        if !on {
            return None;
        }
        let bars = Arc::new(Bars::new(ProgressDrawTarget::stderr()));
        *ON_SCREEN.lock().unwrap_or_else(PoisonError::into_inner) = Some(bars.multi.clone());
        let handler: ProgressHandler = bars.clone();
        Some((bars, handler))
    }

    fn new(target: ProgressDrawTarget) -> Bars {
        Bars {
            multi: MultiProgress::with_draw_target(target),
            files: Mutex::new(HashMap::new()),
            total: Mutex::new(None),
        }
    }

    fn style(template: &str) -> ProgressStyle {
        ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ")
    }

    /// A spinner line for the steps without byte counts (hashing, committing).
    pub(crate) fn spinner(&self, message: String) -> ProgressBar {
        let bar = self.multi.add(ProgressBar::new_spinner());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message(message);
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    }

    /// Removes every bar (before printing the result).
    pub(crate) fn finish(&self) {
        let files = std::mem::take(&mut *self.files.lock().unwrap_or_else(PoisonError::into_inner));
        for bar in files.into_values() {
            bar.finish_and_clear();
        }
        if let Some(total) = self
            .total
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            total.finish_and_clear();
        }
        let _ = self.multi.clear();
        ON_SCREEN
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }

    fn total_inc(&self, bytes: u64) {
        if let Some(total) = &*self.total.lock().unwrap_or_else(PoisonError::into_inner) {
            total.inc(bytes);
        }
    }
}

impl Bars {
    /// Draws an upload event (LFS transfers from `hf-lfs`) like a download event.
    pub(crate) fn on_transfer(&self, event: &TransferEvent<'_>) {
        match *event {
            TransferEvent::Started { path_in_repo, size } => self.on_event(ProgressEvent::Start {
                path: path_in_repo,
                total: size,
                resumed: 0,
            }),
            TransferEvent::Progress {
                path_in_repo,
                bytes,
            } => self.on_event(ProgressEvent::Advance {
                path: path_in_repo,
                bytes,
            }),
            TransferEvent::Restarted { path_in_repo } => self.on_event(ProgressEvent::Restart {
                path: path_in_repo,
                resumed: 0,
            }),
            TransferEvent::Finished { path_in_repo } => {
                self.on_event(ProgressEvent::Done { path: path_in_repo });
            }
            // Already on the Hub: nothing to draw.
            _ => {}
        }
    }
}

impl Progress for Bars {
    fn on_event(&self, event: ProgressEvent<'_>) {
        let mut files = self.files.lock().unwrap_or_else(PoisonError::into_inner);
        match event {
            ProgressEvent::Snapshot {
                files: n,
                total_bytes,
            } => {
                let bar = self.multi.add(ProgressBar::new(total_bytes.unwrap_or(0)));
                bar.set_style(Self::style(TOTAL_TEMPLATE));
                bar.set_message(format!("Fetching {n} file(s)"));
                *self.total.lock().unwrap_or_else(PoisonError::into_inner) = Some(bar);
            }
            ProgressEvent::Start {
                path,
                total,
                resumed,
            } => {
                let bar = self.multi.add(ProgressBar::new(total));
                bar.set_style(Self::style(FILE_TEMPLATE));
                bar.set_message(name_to_show(path));
                bar.set_position(resumed);
                files.insert(path.to_owned(), bar);
                drop(files);
                // Bytes from an earlier attempt count toward the total too.
                self.total_inc(resumed);
            }
            ProgressEvent::Advance { path, bytes } => {
                if let Some(bar) = files.get(path) {
                    bar.inc(bytes);
                }
                drop(files);
                self.total_inc(bytes);
            }
            ProgressEvent::Restart { path, resumed } => {
                if let Some(bar) = files.get(path) {
                    bar.set_position(resumed);
                }
            }
            ProgressEvent::Done { path } => {
                if let Some(bar) = files.remove(path) {
                    bar.finish_and_clear();
                    self.multi.remove(&bar);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An 80-column terminal that keeps what is written to it.
    #[derive(Debug, Default, Clone)]
    struct Recorded(Arc<Mutex<Vec<String>>>);

    impl indicatif::TermLike for Recorded {
        fn width(&self) -> u16 {
            80
        }
        fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            self.write_str(s)
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            self.0.lock().unwrap().push(s.to_owned());
            Ok(())
        }
        fn clear_line(&self) -> std::io::Result<()> {
            Ok(())
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn bars_fit_an_80_column_terminal() {
        let term = Recorded::default();
        let bars = Bars::new(ProgressDrawTarget::term_like(Box::new(term.clone())));
        bars.on_event(ProgressEvent::Snapshot {
            files: 2,
            total_bytes: Some(3 << 30),
        });
        let long = "a/very/long/folder/name/that/goes/on/model-00001-of-00002.safetensors";
        assert_eq!(name_to_show("config.json"), "config.json");
        bars.on_event(ProgressEvent::Start {
            path: long,
            total: 3 << 30,
            resumed: 0,
        });
        bars.on_event(ProgressEvent::Advance {
            path: long,
            bytes: 1 << 30,
        });
        bars.multi.suspend(|| {});
        let written = term.0.lock().unwrap().clone();
        let lines: Vec<String> = written
            .iter()
            .map(|w| console::strip_ansi_codes(w).into_owned())
            .filter(|w| !w.trim().is_empty())
            .collect();
        assert!(
            lines.iter().any(|l| l.starts_with("Fetching 2 file(s)")),
            "{lines:?}"
        );
        // A long path shows its end, where the file name is.
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("...-of-00002.safetensors ")),
            "{lines:?}"
        );
        for line in &lines {
            assert!(
                line.chars().count() <= 80,
                "{} columns: {line:?}",
                line.chars().count()
            );
        }
    }

    #[test]
    fn events_drive_one_bar_per_file_and_a_total() {
        let bars = Bars::new(ProgressDrawTarget::hidden());
        bars.on_event(ProgressEvent::Snapshot {
            files: 2,
            total_bytes: Some(300),
        });
        bars.on_event(ProgressEvent::Start {
            path: "a",
            total: 100,
            resumed: 40,
        });
        bars.on_event(ProgressEvent::Start {
            path: "b",
            total: 200,
            resumed: 0,
        });
        bars.on_event(ProgressEvent::Advance {
            path: "a",
            bytes: 60,
        });
        bars.on_event(ProgressEvent::Advance {
            path: "b",
            bytes: 5,
        });
        bars.on_event(ProgressEvent::Restart {
            path: "b",
            resumed: 0,
        });
        {
            let files = bars.files.lock().unwrap();
            assert_eq!(files["a"].position(), 100);
            assert_eq!(files["b"].position(), 0);
        }
        bars.on_event(ProgressEvent::Done { path: "a" });
        assert_eq!(bars.files.lock().unwrap().len(), 1);
        let total = bars.total.lock().unwrap().as_ref().unwrap().position();
        assert_eq!(total, 105, "resumed bytes count");
        bars.finish();
        assert!(bars.files.lock().unwrap().is_empty());
        assert!(bars.total.lock().unwrap().is_none());
    }
}
