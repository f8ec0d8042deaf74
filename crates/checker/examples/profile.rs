//! One warm-up pass of `read` + `check` over files, then `REPEATS` passes inside
//! `measured` — for a profiler that counts only that function, e.g.
//! `valgrind --tool=callgrind --toggle-collect='*measured*' profile 3 FILES…`
//! (a development aid: regex compilation and other one-time costs stay out).
//! `profile REPEATS --paragraph MB FILES…` measures instead one paragraph of about
//! MB megabytes made of the files' lines, as `qcdc bench check` makes it.

/// The allocator of the `qcdc` binary, which `qcdc bench check` runs with.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
fn pass(data: &[Vec<u8>]) -> usize {
    let mut n = 0;
    for d in data {
        if let Ok(doc) = qcdc_checker::read(d) {
            n += std::hint::black_box(qcdc_checker::check(&doc)).len();
        }
    }
    n
}

#[inline(never)]
fn measured(data: &[Vec<u8>], reps: usize) -> usize {
    (0..reps).map(|_| pass(data)).sum()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let reps: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(1);
    let mut files = &args[1.min(args.len())..];
    let mut paragraph = None;
    if files.first().is_some_and(|a| a == "--paragraph") {
        paragraph = files.get(1).and_then(|m| m.parse::<f64>().ok());
        files = &files[2.min(files.len())..];
    }
    let mut data: Vec<Vec<u8>> = files
        .iter()
        .map(|p| std::fs::read(p).unwrap_or_default())
        .collect();
    if let Some(mb) = paragraph {
        let mut text = String::new();
        for d in &data {
            if let Ok(doc) = qcdc_checker::read(d) {
                for l in &doc.lines {
                    let t = l.text.trim();
                    if !t.is_empty() {
                        text.push_str(t);
                        text.push(' ');
                    }
                }
            }
        }
        let want = (mb * 1e6) as usize;
        let mut out = String::new();
        while out.len() < want && !text.is_empty() {
            out.push_str(&text);
        }
        data = vec![out.into_bytes()];
    }
    let warm = pass(&data);
    let n = measured(&data, reps);
    println!("{warm} findings per pass, {n} in {reps} measured passes");
}
