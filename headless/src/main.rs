//! `parley-headless`: parse the command line, run it, exit with its code.

use clap::Parser;
use parley_headless::{Cli, run};

fn main() {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("parley-headless: cannot start the async runtime: {error}");
            std::process::exit(1);
        }
    };
    let code = runtime.block_on(run(cli));
    // Exit at once: a pending read of standard input would otherwise hold the runtime's
    // shutdown until the user pressed Enter.
    std::process::exit(i32::from(code));
}
