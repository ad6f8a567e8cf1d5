//! Walks a college's audit chain and names the first entry that does not fit: a gap in
//! the sequence, a link to the wrong predecessor, or a hash its fields do not produce.

use sqlx::PgConnection;

#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Intact { entries: i64 },
    Broken { seq: i64, reason: &'static str },
}

#[derive(sqlx::FromRow)]
struct Link {
    seq: i64,
    prev_hash: Vec<u8>,
    hash: Vec<u8>,
    recomputed: Vec<u8>,
}

pub async fn verify(conn: &mut PgConnection) -> Result<Verdict, sqlx::Error> {
    let rows: Vec<Link> = sqlx::query_as(
        "SELECT seq, prev_hash, hash, audit_entry_hash(prev_hash, a) AS recomputed \
         FROM audit_log a ORDER BY seq",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut expected_prev: Vec<u8> = Vec::new();
    for (expected_seq, link) in (1..).zip(rows.iter()) {
        let Link {
            seq,
            prev_hash: prev,
            hash,
            recomputed,
        } = link;
        if *seq != expected_seq {
            return Ok(Verdict::Broken {
                seq: expected_seq,
                reason: "missing entry",
            });
        }
        if *prev != expected_prev {
            return Ok(Verdict::Broken {
                seq: *seq,
                reason: "does not link to the entry before it",
            });
        }
        if hash != recomputed {
            return Ok(Verdict::Broken {
                seq: *seq,
                reason: "its fields were changed after it was written",
            });
        }
        expected_prev.clone_from(hash);
    }
    let head: Option<(i64, Vec<u8>)> = sqlx::query_as("SELECT seq, hash FROM audit_heads")
        .fetch_optional(&mut *conn)
        .await?;
    let (last_seq, last_hash) = rows
        .last()
        .map_or((0, Vec::new()), |l| (l.seq, l.hash.clone()));
    if let Some((seq, hash)) = head
        && (seq != last_seq || hash != last_hash)
    {
        return Ok(Verdict::Broken {
            seq: last_seq + 1,
            reason: "entries after it are missing (the chain's head is further on)",
        });
    }
    Ok(Verdict::Intact {
        entries: rows.len() as i64,
    })
}
