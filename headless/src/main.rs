//! `parley-headless`: a terminal guest. The interactive chat, scripted checks and load generator
//! arrive with their own issue; until then the binary only says so.

fn main() {
    eprintln!("parley-headless: not built yet (see the headless issue)");
    std::process::exit(2);
}
