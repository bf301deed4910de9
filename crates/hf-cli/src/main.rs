//! `hf`: the command-line tool for the Hugging Face Hub.

fn main() {
    eprintln!("hf: not yet implemented");
    std::process::exit(2);
}
