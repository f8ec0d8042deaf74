//! `qcdc`: the server, the command line, demo data, the national generator and
//! the benchmarks. Commands work directly on the database (local admin access).

/// The allocator: mimalloc, whose small allocations cost a fraction of the system
/// allocator's. The checker builds many short strings and vectors per paragraph;
/// `qcdc bench check` measures it with this allocator, as the server runs it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `println!` that ends the program quietly when stdout is closed (`qcdc … | head`).
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        if writeln!(std::io::stdout(), $($t)*).is_err() {
            std::process::exit(0);
        }
    }};
}

/// `print!` with the same care as [`outln!`].
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        if write!(std::io::stdout(), $($t)*).is_err() {
            std::process::exit(0);
        }
    }};
}

mod bench;
mod check;
mod cli;
mod config;
mod demo;
mod figures;
mod generate;
mod registers_gen;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args = match config::parse(std::env::args_os().collect()) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("Lỗi: {e:#}");
            return ExitCode::from(2);
        }
    };
    let filter = || {
        tracing_subscriber::EnvFilter::try_from_env("QCDC_LOG")
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,sqlx=error,qcdc=info"))
    };
    match args.log_format {
        // one JSON object per line, with the request's span (its request id) on each
        cli::LogFormat::Json => tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .with_env_filter(filter())
            .with_writer(std::io::stderr)
            .init(),
        cli::LogFormat::Text => tracing_subscriber::fmt()
            .with_env_filter(filter())
            .with_writer(std::io::stderr)
            .init(),
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("Lỗi: không khởi động được tokio: {e}");
            return ExitCode::from(2);
        }
    };
    match rt.block_on(cli::run(args)) {
        Ok(code) => code,
        Err(e) => {
            match e.downcast_ref::<qcdc_core::CoreError>() {
                Some(ce) => {
                    eprintln!("Lỗi [{}]: {}", ce.code.as_str(), ce.message);
                    for p in &ce.problems {
                        if p.line > 0 {
                            eprintln!("  dòng {}: {} ({})", p.line, p.message, p.code);
                        } else {
                            eprintln!("  - {} ({})", p.message, p.code);
                        }
                    }
                    if let Some(d) = &ce.details {
                        eprintln!("{}", serde_json::to_string_pretty(d).unwrap_or_default());
                    }
                }
                None => eprintln!("Lỗi: {e:#}"),
            }
            ExitCode::from(1)
        }
    }
}
