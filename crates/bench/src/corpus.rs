//! Building a benchmark corpus of a given size as a JSONL file.
//!
//! Documents come from a folder (`.txt` and `.html` files; one document each) or a JSONL file
//! (`body` or `text` field). They are cycled until the corpus holds the requested number of bytes
//! of document text; each copy gets its own id. The file is streamed to disk, so building a
//! 200 MB corpus does not hold it in memory.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::BenchError;

/// A corpus file and what is in it.
#[derive(Clone, Debug)]
pub struct Corpus {
    /// The JSONL file.
    pub path: PathBuf,
    /// Documents in it.
    pub docs: u64,
    /// Bytes of document text (bodies) in it.
    pub bytes: u64,
    /// Distinct source documents it cycles through.
    pub distinct: usize,
}

impl Corpus {
    /// A one-line description for the report.
    pub fn describe(&self, source: &Path) -> String {
        format!(
            "{:.1} MB of text, {} documents ({} distinct, from {})",
            self.bytes as f64 / 1e6,
            self.docs,
            self.distinct,
            source.display()
        )
    }

    /// The document bodies, read back from the corpus file (for the baseline scan), in one
    /// buffer: a single large allocation goes back to the system when dropped, where thousands
    /// of small ones would stay in the allocator's heap and count in the next run's peak RSS.
    pub fn bodies(&self) -> Result<Bodies, BenchError> {
        let file = File::open(&self.path).map_err(|source| io(&self.path, source))?;
        let mut bodies = Bodies {
            text: String::with_capacity(self.bytes as usize),
            ends: Vec::with_capacity(self.docs as usize),
        };
        for line in BufReader::new(file).lines() {
            let line = line.map_err(|source| io(&self.path, source))?;
            let value: serde_json::Value =
                serde_json::from_str(&line).map_err(|e| BenchError::Pipeline(e.to_string()))?;
            bodies
                .text
                .push_str(value["body"].as_str().unwrap_or_default());
            bodies.ends.push(bodies.text.len());
        }
        Ok(bodies)
    }
}

/// The bodies of a corpus, back to back in one buffer.
pub struct Bodies {
    text: String,
    ends: Vec<usize>,
}

impl Bodies {
    /// The bodies, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(self.ends.iter().copied())
            .map(|(start, end)| &self.text[start..end])
    }
}

fn io(path: &Path, source: std::io::Error) -> BenchError {
    BenchError::Io {
        context: path.display().to_string(),
        source,
    }
}

/// Reads the source documents.
fn documents(source: &Path) -> Result<Vec<String>, BenchError> {
    let mut docs = Vec::new();
    if source.is_dir() {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(source)
            .map_err(|e| io(source, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "txt" || x == "html"))
            .collect();
        paths.sort();
        for p in paths {
            docs.push(std::fs::read_to_string(&p).map_err(|e| io(&p, e))?);
        }
    } else {
        let file = File::open(source).map_err(|e| io(source, e))?;
        for line in BufReader::new(file).lines() {
            let line = line.map_err(|e| io(source, e))?;
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line)
                && let Some(body) = v["body"].as_str().or_else(|| v["text"].as_str())
            {
                docs.push(body.to_string());
            }
        }
    }
    if docs.is_empty() {
        return Err(BenchError::Pipeline(format!(
            "{}: no documents to benchmark with",
            source.display()
        )));
    }
    Ok(docs)
}

/// Writes a corpus of about `size` bytes of text from `source` to `out`.
pub fn build(source: &Path, size: u64, out: &Path) -> Result<Corpus, BenchError> {
    let docs = documents(source)?;
    let file = File::create(out).map_err(|e| io(out, e))?;
    let mut writer = BufWriter::new(file);
    let (mut bytes, mut n) = (0u64, 0u64);
    while bytes < size {
        let body = &docs[(n as usize) % docs.len()];
        let line = serde_json::json!({ "id": format!("bench-{n}"), "body": body });
        serde_json::to_writer(&mut writer, &line)
            .map_err(|e| BenchError::Pipeline(e.to_string()))?;
        writer.write_all(b"\n").map_err(|e| io(out, e))?;
        bytes += body.len() as u64;
        n += 1;
    }
    writer.flush().map_err(|e| io(out, e))?;
    Ok(Corpus {
        path: out.to_path_buf(),
        docs: n,
        bytes,
        distinct: docs.len(),
    })
}
