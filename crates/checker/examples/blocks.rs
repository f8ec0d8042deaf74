//! Prints a document's blocks and footnote links (a development aid).
fn main() {
    for p in std::env::args().skip(1) {
        let bytes = std::fs::read(&p).unwrap_or_default();
        if let Ok(d) = qcdc_checker::read(&bytes) {
            for (i, b) in d.blocks.iter().enumerate() {
                println!(
                    "{i} {:?} note={:?} refs={:?} cites={:?} | {}",
                    b.part,
                    b.footnote,
                    b.refs,
                    d.citing_block(i),
                    b.text.chars().take(80).collect::<String>()
                );
                for n in qcdc_checker::numbers::scan(&b.text) {
                    println!(
                        "    {:?} {:?} unit={:?} pct={}",
                        n.raw, n.kind, n.unit, n.percent
                    );
                }
            }
        }
    }
}
