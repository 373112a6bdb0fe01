// A filter in Rust: its standard input upper-cased to its standard output,
// line by line; its exit status is the number of lines, modulo 256.
use std::io::{self, BufRead, Write};

fn main() {
    let stdin = io::stdin();
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut lines = 0u32;
    for line in stdin.lock().lines() {
        let line = line.expect("stdin");
        writeln!(out, "{}", line.to_uppercase()).expect("stdout");
        lines += 1;
    }
    out.flush().expect("stdout");
    std::process::exit((lines % 256) as i32);
}
