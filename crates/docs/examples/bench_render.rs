//! `cargo run --release -p qcdc-docs --example bench_render [-- UNITS]`: the rendering
//! benchmark (what `qcdc bench render` prints). Run 1 is a cold process; run 2 renders a
//! different document in the now warm process (fonts parsed, typst's caches filled); run 3
//! renders run 2's document again (typst reuses its memoized layout).

fn main() {
    let units = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100);
    for (run, n) in [(1, units), (2, units + 1), (3, units + 1)] {
        match qcdc_docs::bench::render_consolidated(n) {
            Ok(b) => println!(
                "run {run} ({n} units): {} (warm-up {:.3} s; docx {} KB, pdf {} KB)",
                b.line(),
                b.warm_up_secs,
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
