//! Where the time of `read` + `check` goes, stage by stage, over files (a
//! development aid): `cargo run --release -p qcdc-checker --example stages FILES…`.
//! Each stage is timed over all files, best of many rounds.
use std::time::Instant;

fn best(f: &mut dyn FnMut()) -> f64 {
    let mut b = f64::MAX;
    let start = Instant::now();
    let mut n = 0;
    while start.elapsed().as_secs_f64() < 1.5 || n < 5 {
        let s = Instant::now();
        f();
        b = b.min(s.elapsed().as_secs_f64());
        n += 1;
    }
    b * 1000.0
}

fn main() {
    let files: Vec<String> = std::env::args().skip(1).collect();
    let data: Vec<Vec<u8>> = files.iter().filter_map(|f| std::fs::read(f).ok()).collect();
    let bytes: usize = data.iter().map(Vec::len).sum();
    let lines: Vec<Vec<qcdc_checker::read::Line>> = data
        .iter()
        .map(|d| qcdc_checker::read::read_text(d).unwrap_or_default())
        .collect();
    let docs: Vec<qcdc_checker::Document> = data
        .iter()
        .filter_map(|d| qcdc_checker::read(d).ok())
        .collect();
    let t_read = best(&mut || {
        for d in &data {
            std::hint::black_box(qcdc_checker::read::read_text_with_encoding(d).ok());
        }
    });
    let t_doc = best(&mut || {
        for l in &lines {
            std::hint::black_box(qcdc_checker::Document::new(l.clone()));
        }
    });
    let t_clone = best(&mut || {
        for l in &lines {
            std::hint::black_box(l.clone());
        }
    });
    let t_ctx = best(&mut || {
        for d in &docs {
            std::hint::black_box(qcdc_checker::checks::Ctx::new(d));
        }
    });
    let ctxs: Vec<_> = docs.iter().map(qcdc_checker::checks::Ctx::new).collect();
    let t_rules = best(&mut || {
        for c in &ctxs {
            let mut out = Vec::new();
            qcdc_checker::checks::check_ctx(c, &mut out);
            std::hint::black_box(out);
        }
    });
    let t_cit = best(&mut || {
        for c in &ctxs {
            let mut out = Vec::new();
            let lowered: Vec<&str> = c.blks.iter().map(|b| b.lower_text.as_str()).collect();
            qcdc_checker::citations::check_lowered(c.doc, &lowered, &mut out);
            std::hint::black_box(out);
        }
    });
    let t_all = best(&mut || {
        for d in &data {
            if let Ok(doc) = qcdc_checker::read(d) {
                std::hint::black_box(qcdc_checker::check(&doc));
            }
        }
    });
    // the same pass with each call timed in place
    let mut split = [f64::MAX; 3];
    for _ in 0..200 {
        let mut t = [0.0; 3];
        for d in &data {
            let a = Instant::now();
            let doc = qcdc_checker::read(d).ok();
            let b = Instant::now();
            let f = doc.as_ref().map(qcdc_checker::check);
            let c = Instant::now();
            drop(f);
            drop(doc);
            t[0] += (b - a).as_secs_f64();
            t[1] += (c - b).as_secs_f64();
            t[2] += c.elapsed().as_secs_f64();
        }
        for k in 0..3 {
            split[k] = split[k].min(t[k] * 1000.0);
        }
    }
    println!(
        "in place: read {:.2} ms, check {:.2} ms, drop {:.2} ms",
        split[0], split[1], split[2]
    );
    let mb = bytes as f64 / 1e6;
    println!(
        "{} files, {:.3} MB; all {t_all:.2} ms = {:.1} MB/s",
        data.len(),
        mb,
        mb / t_all * 1000.0
    );
    println!("  decode+lines {t_read:.2} ms");
    println!(
        "  Document::new {:.2} ms (minus clone {t_clone:.2})",
        t_doc - t_clone
    );
    println!("  Ctx::new {t_ctx:.2} ms");
    println!("  rules {t_rules:.2} ms");
    println!("  citations {t_cit:.2} ms");
}
