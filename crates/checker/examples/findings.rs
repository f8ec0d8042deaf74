//! Prints the findings of files (a development aid).
fn main() {
    for p in std::env::args().skip(1) {
        let bytes = std::fs::read(&p).unwrap_or_default();
        match qcdc_checker::read(&bytes) {
            Ok(d) => {
                println!(
                    "== {p} ({}, date {:?}, period {:?})",
                    d.encoding, d.header.date, d.header.period
                );
                for f in qcdc_checker::check(&d) {
                    println!(
                        "{:>4} {:?} {:?}: {}\n       «{}»",
                        f.line, f.kind, f.severity, f.message, f.excerpt
                    );
                }
            }
            Err(e) => println!("== {p}: {}", e.0),
        }
    }
}
