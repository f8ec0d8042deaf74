//! `cargo run --release -p qcdc-docs --example bench_render [-- UNITS]`: the rendering
//! benchmark (what `qcdc bench render` prints), run three times so the first run's one-off
//! font parsing shows separately.

fn main() {
    let units = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100);
    for run in 1..=3 {
        match qcdc_docs::bench::render_consolidated(units) {
            Ok(b) => println!(
                "run {run}: {} (docx {} KB, pdf {} KB)",
                b.line(),
                b.docx_bytes / 1024,
                b.pdf_bytes / 1024
            ),
            Err(e) => {
                eprintln!("{} ({})", e, e.code());
                std::process::exit(1);
            }
        }
    }
}
