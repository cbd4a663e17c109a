//! Writes a batch to ClickHouse (and its dead letters to Kafka), retrying each part with
//! the one backoff (`civicpulse_core::backoff`) until it is stored: a database that is
//! down makes the lag grow, never drops an event.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use civicpulse_core::backoff::{ExponentialBuilder, Retryable};
use civicpulse_store::tables::{insert_all, StoredRow};
use clickhouse::Client;
use tokio_util::sync::CancellationToken;

use super::batch::Batch;
use super::dead_letter::DeadLetterProducer;
use super::rows::Received;
use crate::metrics;

/// The batch could not be stored before shutdown; nothing of it may be committed.
#[derive(Debug, thiserror::Error)]
#[error("shutdown while the batch was still being written")]
pub struct Interrupted;

pub struct Writer {
    client: Client,
    dead_letters: DeadLetterProducer,
    backoff: ExponentialBuilder,
}

impl Writer {
    pub fn new(
        client: Client,
        dead_letters: DeadLetterProducer,
        backoff: ExponentialBuilder,
    ) -> Self {
        Writer {
            client,
            dead_letters,
            backoff,
        }
    }

    /// Stores every part of the batch, each retried until it succeeds. Parts already
    /// stored are not written again when a later part fails. On shutdown, gives up
    /// between attempts.
    pub async fn write(
        &self,
        batch: &Batch,
        shutdown: &CancellationToken,
    ) -> Result<(), Interrupted> {
        if !batch.dead_letters.is_empty() {
            self.retry("dead letters", shutdown, || async {
                self.dead_letters
                    .send_all(&batch.dead_letters)
                    .await
                    .map_err(|e| e.to_string())
            })
            .await?;
            for letter in &batch.dead_letters {
                metrics::SINK_DEAD_LETTERS
                    .with_label_values(&[&letter.source.topic])
                    .inc();
            }
        }
        self.insert(&batch.feedback, shutdown).await?;
        self.insert(&batch.comments, shutdown).await?;
        self.insert(&batch.milestones, shutdown).await?;
        self.insert(&batch.offered, shutdown).await?;
        metrics::SINK_BATCH_ROWS.observe(batch.messages() as f64);
        Ok(())
    }

    async fn insert<T: StoredRow + Received>(
        &self,
        rows: &[T],
        shutdown: &CancellationToken,
    ) -> Result<(), Interrupted> {
        let table = T::TABLE;
        if rows.is_empty() {
            return Ok(());
        }
        let started = Instant::now();
        self.retry(table, shutdown, || insert_once(&self.client, rows))
            .await?;
        metrics::SINK_INSERT_SECONDS
            .with_label_values(&[table])
            .observe(started.elapsed().as_secs_f64());
        metrics::SINK_ROWS_WRITTEN
            .with_label_values(&[table])
            .inc_by(rows.len() as u64);
        if let Some(newest) = rows.iter().map(Received::received_at).max() {
            let gauge = metrics::SINK_NEWEST_STORED.with_label_values(&[table]);
            gauge.set(gauge.get().max(newest.timestamp()));
        }
        Ok(())
    }

    async fn retry<F, Fut>(
        &self,
        what: &str,
        shutdown: &CancellationToken,
        mut attempt: F,
    ) -> Result<(), Interrupted>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<(), String>>,
    {
        let failures = AtomicU32::new(0);
        // Shutdown cuts a wait short; the attempt after it gives up without writing.
        let wait_or_shutdown = {
            let shutdown = shutdown.clone();
            move |wait: Duration| {
                let shutdown = shutdown.clone();
                async move {
                    tokio::select! {
                        _ = shutdown.cancelled() => {}
                        _ = tokio::time::sleep(wait) => {}
                    }
                }
            }
        };
        let written = (|| {
            let interrupted = failures.load(Ordering::Relaxed) > 0 && shutdown.is_cancelled();
            let write = (!interrupted).then(&mut attempt);
            async move {
                match write {
                    Some(write) => write.await.map_err(Failure::Write),
                    None => Err(Failure::Interrupted),
                }
            }
        })
        .retry(self.backoff)
        .sleep(wait_or_shutdown)
        .when(|failure| matches!(failure, Failure::Write(_)))
        .notify(|failure, wait| {
            let failures = failures.fetch_add(1, Ordering::Relaxed) + 1;
            metrics::SINK_INSERT_FAILURES.inc();
            if let Failure::Write(error) = failure {
                tracing::warn!(target_table = what, %error, failures, retry_in_ms = wait.as_millis() as u64, "write failed; retrying");
            }
        })
        .await;
        match written {
            Ok(()) => {
                let failures = failures.into_inner();
                if failures > 0 {
                    tracing::info!(
                        target_table = what,
                        failures,
                        "write succeeded after retries"
                    );
                }
                Ok(())
            }
            Err(_) => Err(Interrupted),
        }
    }
}

/// Why an attempt did not store its part.
enum Failure {
    Write(String),
    Interrupted,
}

async fn insert_once<T: StoredRow>(client: &Client, rows: &[T]) -> Result<(), String> {
    let written = insert_all(client, rows, Some(Duration::from_secs(60))).await;
    metrics::dependency_answered("clickhouse", written.is_ok());
    written.map_err(|e| e.to_string())
}
