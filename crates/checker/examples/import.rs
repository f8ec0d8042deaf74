#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Prints what a legacy import maps (a development aid): `import TEMPLATE.toml FILE`.
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let t = qcdc_core::template::Template::from_toml(
        &std::fs::read_to_string(&a[1]).unwrap_or_default(),
    )
    .expect("template");
    let d = qcdc_checker::read(&std::fs::read(&a[2]).unwrap_or_default()).expect("read");
    let m = qcdc_checker::import::map_report(&d, &t);
    for (l, s) in &m.headings {
        println!(
            "H {l} -> {s:?}  {}",
            d.lines[l - 1].text.chars().take(70).collect::<String>()
        );
    }
    for (k, v) in &m.values {
        println!("V {k} = {} (line {})", v.text, v.line);
    }
}
