//! Labelled comments from a CSV file: a text column and one 0/1 column per theme, whatever
//! the taxonomy. `lang`, `service_id`, `sentiment`, `id` and `split` are read when present and
//! are never themes. A file that cannot mean what its author intended is refused with the
//! line and the column, never read in part. [`LabelledSet::write`] writes the same format
//! (analysts' corrections exported as labels), so what it writes reads back as it was.

use std::collections::HashSet;
use std::io::Read;

use super::error::ThemesError;
use super::sentiment::Sentiment;
use super::text::Language;

/// Columns that are not themes.
pub const KNOWN_COLUMNS: &[&str] = &["lang", "service_id", "sentiment", "id", "split"];

/// How a labelled file is read.
#[derive(Debug, Clone)]
pub struct LabelsOptions {
    pub text_column: String,
    /// When given, theme columns must be among these ids (a typo is refused, not learned as
    /// a new theme).
    pub known_themes: Option<Vec<String>>,
}

impl Default for LabelsOptions {
    fn default() -> Self {
        LabelsOptions {
            text_column: "text".into(),
            known_themes: None,
        }
    }
}

/// Which side of a given split a comment is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    Train,
    Test,
}

/// One labelled comment.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledComment {
    /// The line of the file it was read from (the header is line 1).
    pub line: u64,
    pub id: Option<String>,
    pub text: String,
    pub language: Option<Language>,
    pub service_id: Option<String>,
    pub sentiment: Option<Sentiment>,
    /// One flag per theme of the set, in column order.
    pub labels: Vec<bool>,
    pub split: Option<Split>,
}

/// A labelled file.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledSet {
    /// Theme ids, in column order.
    pub themes: Vec<String>,
    pub comments: Vec<LabelledComment>,
}

impl LabelledSet {
    pub fn read(reader: impl Read, options: &LabelsOptions) -> Result<LabelledSet, ThemesError> {
        let mut csv = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(reader);
        let headers = csv
            .byte_headers()
            .map_err(|e| ThemesError::LabelsFile(format!("cannot read the header: {e}")))?
            .clone();
        if headers.is_empty() {
            return Err(ThemesError::LabelsFile(
                "the file is empty: expected a header with a text column and one column per theme"
                    .into(),
            ));
        }
        let mut names = Vec::with_capacity(headers.len());
        for (i, raw) in headers.iter().enumerate() {
            let name = std::str::from_utf8(raw).map_err(|_| ThemesError::Labels {
                line: 1,
                column: format!("#{}", i + 1),
                reason: "the header is not valid UTF-8".into(),
            })?;
            names.push(name.trim().to_owned());
        }
        let mut seen = HashSet::new();
        for (i, name) in names.iter().enumerate() {
            if name.is_empty() {
                return Err(ThemesError::Labels {
                    line: 1,
                    column: format!("#{}", i + 1),
                    reason: "a column has no name".into(),
                });
            }
            if !seen.insert(name.as_str()) {
                return Err(ThemesError::Labels {
                    line: 1,
                    column: name.clone(),
                    reason: "the column appears twice".into(),
                });
            }
        }
        let column = |wanted: &str| names.iter().position(|n| n == wanted);
        let text_at = column(&options.text_column).ok_or_else(|| {
            ThemesError::LabelsFile(format!(
                "no text column `{}` in the header ({}); name it with --text-column",
                options.text_column,
                names.join(", ")
            ))
        })?;
        let theme_at: Vec<usize> = (0..names.len())
            .filter(|&i| i != text_at && !KNOWN_COLUMNS.contains(&names[i].as_str()))
            .collect();
        if theme_at.is_empty() {
            return Err(ThemesError::LabelsFile(
                "no theme column: expected one 0/1 column per theme".into(),
            ));
        }
        if let Some(known) = &options.known_themes {
            if let Some(&i) = theme_at.iter().find(|&&i| !known.contains(&names[i])) {
                return Err(ThemesError::Labels {
                    line: 1,
                    column: names[i].clone(),
                    reason: format!(
                        "unknown column: not a theme of the taxonomy nor one of {}",
                        KNOWN_COLUMNS.join(", ")
                    ),
                });
            }
        }
        let optional = |name: &str| column(name);
        let (lang_at, service_at, sentiment_at, id_at, split_at) = (
            optional("lang"),
            optional("service_id"),
            optional("sentiment"),
            optional("id"),
            optional("split"),
        );
        let mut comments = Vec::new();
        for record in csv.byte_records() {
            let record = record.map_err(|e| {
                let line = e.position().map_or(0, |p| p.line());
                ThemesError::Labels {
                    line,
                    column: "*".into(),
                    reason: e.to_string(),
                }
            })?;
            let line = record.position().map_or(0, |p| p.line());
            let field = |i: usize| -> Result<&str, ThemesError> {
                std::str::from_utf8(&record[i]).map_err(|_| ThemesError::Labels {
                    line,
                    column: names[i].clone(),
                    reason: "not valid UTF-8".into(),
                })
            };
            let mut labels = Vec::with_capacity(theme_at.len());
            for &i in &theme_at {
                labels.push(match field(i)?.trim() {
                    "1" => true,
                    "0" => false,
                    other => {
                        return Err(ThemesError::Labels {
                            line,
                            column: names[i].clone(),
                            reason: format!("`{other}` is not 0 or 1"),
                        })
                    }
                });
            }
            let text = field(text_at)?.to_owned();
            let language = match lang_at {
                Some(i) => {
                    let code = field(i)?.trim();
                    if code.is_empty() {
                        None
                    } else {
                        Some(Language::parse(code).ok_or_else(|| ThemesError::Labels {
                            line,
                            column: "lang".into(),
                            reason: format!("`{code}` is not en or fr"),
                        })?)
                    }
                }
                None => None,
            };
            let sentiment = match sentiment_at {
                Some(i) => {
                    let value = field(i)?.trim();
                    if value.is_empty() {
                        None
                    } else {
                        Some(Sentiment::parse(value).ok_or_else(|| ThemesError::Labels {
                            line,
                            column: "sentiment".into(),
                            reason: format!("`{value}` is not negative, mixed or positive"),
                        })?)
                    }
                }
                None => None,
            };
            let split = match split_at {
                Some(i) => match field(i)?.trim().to_ascii_lowercase().as_str() {
                    "train" => Some(Split::Train),
                    "test" => Some(Split::Test),
                    other => {
                        return Err(ThemesError::Labels {
                            line,
                            column: "split".into(),
                            reason: format!("`{other}` is not train or test"),
                        })
                    }
                },
                None => None,
            };
            let text_of = |at: Option<usize>| -> Result<Option<String>, ThemesError> {
                at.map(|i| field(i).map(|v| v.trim().to_owned()))
                    .transpose()
                    .map(|v| v.filter(|v| !v.is_empty()))
            };
            comments.push(LabelledComment {
                line,
                id: text_of(id_at)?,
                text,
                language,
                service_id: text_of(service_at)?,
                sentiment,
                labels,
                split,
            });
        }
        if comments.is_empty() {
            return Err(ThemesError::LabelsFile(
                "the file has a header but no comment".into(),
            ));
        }
        Ok(LabelledSet {
            themes: theme_at.iter().map(|&i| names[i].clone()).collect(),
            comments,
        })
    }

    /// Writes the set in the format [`LabelledSet::read`] reads: `id`, `text` (the default
    /// text column), then `lang`, `service_id`, `sentiment` and `split` when any comment has
    /// one, then one 0/1 column per theme.
    pub fn write(&self, writer: impl std::io::Write) -> Result<(), ThemesError> {
        let any = |has: fn(&LabelledComment) -> bool| self.comments.iter().any(has);
        let (lang, service, sentiment, split) = (
            any(|c| c.language.is_some()),
            any(|c| c.service_id.is_some()),
            any(|c| c.sentiment.is_some()),
            any(|c| c.split.is_some()),
        );
        let mut header = vec!["id", "text"];
        for (present, name) in [
            (lang, "lang"),
            (service, "service_id"),
            (sentiment, "sentiment"),
            (split, "split"),
        ] {
            if present {
                header.push(name);
            }
        }
        header.extend(self.themes.iter().map(String::as_str));
        let mut csv = csv::Writer::from_writer(writer);
        let failed = |e: csv::Error| ThemesError::LabelsFile(format!("cannot write labels: {e}"));
        csv.write_record(&header).map_err(failed)?;
        for comment in &self.comments {
            let mut row = vec![comment.id.clone().unwrap_or_default(), comment.text.clone()];
            if lang {
                row.push(comment.language.map_or("", |l| l.code()).to_string());
            }
            if service {
                row.push(comment.service_id.clone().unwrap_or_default());
            }
            if sentiment {
                row.push(comment.sentiment.map_or("", |s| s.name()).to_string());
            }
            if split {
                let side = match comment.split {
                    Some(Split::Train) => "train",
                    Some(Split::Test) => "test",
                    None => "",
                };
                row.push(side.to_string());
            }
            row.extend(
                comment
                    .labels
                    .iter()
                    .map(|&l| if l { "1" } else { "0" }.to_string()),
            );
            csv.write_record(&row).map_err(failed)?;
        }
        csv.flush()?;
        Ok(())
    }

    /// Whether every comment has a sentiment label.
    pub fn has_sentiment(&self) -> bool {
        self.comments.iter().all(|c| c.sentiment.is_some())
    }

    /// The comments at `indices`, as a set of their own.
    pub fn subset(&self, indices: &[usize]) -> LabelledSet {
        LabelledSet {
            themes: self.themes.clone(),
            comments: indices.iter().map(|&i| self.comments[i].clone()).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &[u8]) -> Result<LabelledSet, String> {
        LabelledSet::read(text, &LabelsOptions::default()).map_err(|e| e.to_string())
    }

    #[test]
    fn any_taxonomy_is_read_with_the_known_columns_apart() {
        let set = read(b"id,text,lang,sentiment,potholes,snow\n7,\"Big hole, Main St\",en,negative,1,0\n8,neige,fr,,0,1\n").unwrap();
        assert_eq!(set.themes, ["potholes", "snow"]);
        assert_eq!(set.comments[0].text, "Big hole, Main St");
        assert_eq!(set.comments[0].labels, [true, false]);
        assert_eq!(set.comments[0].sentiment, Some(Sentiment::Negative));
        assert_eq!(set.comments[1].language, Some(Language::Fr));
        assert_eq!(
            (set.comments[1].line, set.comments[1].id.as_deref()),
            (3, Some("8"))
        );
    }

    #[test]
    fn a_written_set_reads_back_as_it_was() {
        let set = read(b"id,text,service_id,sentiment,potholes,snow\n7,\"Big hole, Main St\",roads,negative,1,0\n8,\"neige; \"\"verglas\"\"\",,,0,1\n").unwrap();
        let mut written = Vec::new();
        set.write(&mut written).unwrap();
        assert!(written.starts_with(b"id,text,service_id,sentiment,potholes,snow\n"));
        assert_eq!(read(&written).unwrap(), set);
    }

    #[test]
    fn bad_files_are_refused_naming_the_line_and_column() {
        let cases: [(&[u8], &str); 8] = [
            (b"", "the file is empty"),
            (b"comment,snow\nhi,1\n", "no text column `text`"),
            (
                b"text,snow\nhi,yes\n",
                "line 2, column `snow`: `yes` is not 0 or 1",
            ),
            (
                b"text,snow,snow\nhi,1,0\n",
                "line 1, column `snow`: the column appears twice",
            ),
            (
                b"text,snow\nhi,1\n\xff\xfe,0\n",
                "line 3, column `text`: not valid UTF-8",
            ),
            (b"text,snow\nhi,1,0\n", "line 2"),
            (b"text,snow\n", "no comment"),
            (b"text,lang\nhi,en\n", "no theme column"),
        ];
        for (file, expected) in cases {
            let error = read(file).unwrap_err();
            assert!(error.contains(expected), "{expected}: {error}");
        }
        let known = LabelsOptions {
            known_themes: Some(vec!["snow".into()]),
            ..LabelsOptions::default()
        };
        let error = LabelledSet::read(&b"text,snow,snwo\nhi,1,0\n"[..], &known)
            .unwrap_err()
            .to_string();
        assert!(error.contains("column `snwo`: unknown column"), "{error}");
    }
}
