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
    head_seq: Option<i64>,
    head_hash: Option<Vec<u8>>,
}

/// Seals what is waiting, then walks the sealed chain and compares its end with the head.
pub async fn verify(conn: &mut PgConnection) -> Result<Verdict, sqlx::Error> {
    super::sealer::seal(&mut *conn).await?;
    // Entries and head in one statement, so one snapshot: a sealer at work meanwhile
    // cannot make the chain look longer or shorter than its head.
    let rows: Vec<Link> = sqlx::query_as!(
        Link,
        "SELECT a.seq AS \"seq!\", a.prev_hash AS \"prev_hash!\", a.hash AS \"hash!\", audit_entry_hash(a.prev_hash, a) AS \"recomputed!\", \
                h.seq AS \"head_seq?\", h.hash AS \"head_hash?\" \
         FROM audit_log a LEFT JOIN audit_heads h ON true \
         WHERE a.seq IS NOT NULL ORDER BY a.seq"
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut expected_prev: Vec<u8> = Vec::new();
    for (expected_seq, link) in (1..).zip(rows.iter()) {
        if link.seq != expected_seq {
            return Ok(Verdict::Broken {
                seq: expected_seq,
                reason: "missing entry",
            });
        }
        if link.prev_hash != expected_prev {
            return Ok(Verdict::Broken {
                seq: link.seq,
                reason: "does not link to the entry before it",
            });
        }
        if link.hash != link.recomputed {
            return Ok(Verdict::Broken {
                seq: link.seq,
                reason: "its fields were changed after it was written",
            });
        }
        expected_prev.clone_from(&link.hash);
    }
    let Some(last) = rows.last() else {
        let head: Option<i64> = sqlx::query_scalar!("SELECT seq FROM audit_heads")
            .fetch_optional(&mut *conn)
            .await?;
        return Ok(match head {
            Some(seq) if seq > 0 => Verdict::Broken {
                seq: 1,
                reason: "entries after it are missing (the chain's head is further on)",
            },
            _ => Verdict::Intact { entries: 0 },
        });
    };
    let head_seq = last.head_seq.unwrap_or(0);
    if last.seq < head_seq {
        return Ok(Verdict::Broken {
            seq: last.seq + 1,
            reason: "entries after it are missing (the chain's head is further on)",
        });
    }
    if last.seq > head_seq || last.head_hash.as_ref() != Some(&last.hash) {
        return Ok(Verdict::Broken {
            seq: head_seq + 1,
            reason: "sealed outside the chain (the chain's head does not reach it)",
        });
    }
    Ok(Verdict::Intact {
        entries: rows.len() as i64,
    })
}
