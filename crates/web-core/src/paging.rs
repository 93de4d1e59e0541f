//! Which page of a list a page shows: one rule for every paginated list (the roster, the children
//! of an organization, the audit trail, the inbox, meeting records, findings, accounts, an import's
//! problems, search results, the organization picker).
//!
//! The page number comes from the address, so it may be anything: a link kept from when the list
//! was longer, a number typed by hand, a word. A number below 1 or anything that is not a whole
//! number reads as page 1; a page past the end shows the last page (and says so: 第 111/111 页),
//! never an empty list under "第 99999/111 页" and never an error. The API keeps its own rule
//! (a page past the end is an empty page, so a client paging until it finds none stops).

use std::future::Future;

/// The largest page number taken from an address; larger ones read as this (and then, past the
/// end of any real list, as its last page), so no offset computed from it can overflow.
pub const MAX_PAGE: i64 = 1_000_000_000;

/// The page asked for by a `?page=` value as typed: a whole number from 1, else 1.
pub fn asked(raw: &str) -> i64 {
    match raw.trim().parse::<i64>() {
        Ok(n) if n >= 1 => n.min(MAX_PAGE),
        // digits too long for a number are a page far past the end
        Err(_) if raw.trim().len() > 1 && raw.trim().bytes().all(|b| b.is_ascii_digit()) => MAX_PAGE,
        _ => 1,
    }
}

/// How many pages `total` items make, `per_page` at a time (one page, empty, when there are none).
pub fn pages(total: i64, per_page: i64) -> i64 {
    let per_page = per_page.max(1);
    ((total.max(0) + per_page - 1) / per_page).max(1)
}

/// The page shown for `page` asked of `total` items: between 1 and the last page.
pub fn clamp(page: i64, total: i64, per_page: i64) -> i64 {
    page.clamp(1, pages(total, per_page))
}

/// [`clamp`] for lists kept in memory (indexes are `usize` there).
pub fn clamp_usize(page: i64, total: usize, per_page: usize) -> usize {
    clamp(page, i64::try_from(total).unwrap_or(i64::MAX), i64::try_from(per_page).unwrap_or(i64::MAX)) as usize
}

/// A page of a list as read: which page it is and how many there are.
pub trait Paged {
    fn page_no(&self) -> i64;
    fn page_count(&self) -> i64;
}

impl<T> Paged for store::member::Page<T> {
    fn page_no(&self) -> i64 {
        self.page
    }
    fn page_count(&self) -> i64 {
        self.pages()
    }
}

/// A page read together with something about the whole list (the accounts and their pending
/// requests, say).
impl<P: Paged, X> Paged for (P, X) {
    fn page_no(&self) -> i64 {
        self.0.page_no()
    }
    fn page_count(&self) -> i64 {
        self.0.page_count()
    }
}

impl Paged for service::org::OrgPick {
    fn page_no(&self) -> i64 {
        self.page
    }
    fn page_count(&self) -> i64 {
        self.pages
    }
}

impl Paged for service::member::MemberFound {
    fn page_no(&self) -> i64 {
        self.page
    }
    fn page_count(&self) -> i64 {
        self.pages
    }
}

/// Read page `asked` of a list with `read`, or its last page when `asked` lies past the end. The
/// list's length is known only once a page is read, so a page past the end costs a second read
/// (only then).
pub async fn within<P, E, F, Fut>(asked: i64, mut read: F) -> Result<P, E>
where
    P: Paged,
    F: FnMut(i64) -> Fut,
    Fut: Future<Output = Result<P, E>>,
{
    let first = read(asked.max(1)).await?;
    let last = first.page_count();
    if first.page_no() > last {
        read(last).await
    } else {
        Ok(first)
    }
}

/// [`within`] for a list read as its rows and its length (`total_of` tells the length from what
/// was read): the page `asked`, or the last page when `asked` lies past the end, and which page
/// that is.
pub async fn within_total<T, E, F, Fut>(
    asked: i64,
    per_page: i64,
    total_of: impl Fn(&T) -> i64,
    mut read: F,
) -> Result<(T, i64), E>
where
    F: FnMut(i64) -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let asked = asked.max(1);
    let first = read(asked).await?;
    let page = clamp(asked, total_of(&first), per_page);
    if page == asked {
        return Ok((first, page));
    }
    Ok((read(page).await?, page))
}

/// Read the page asked for (`?page=`), or the last when it lies past the end ([`within_total`]);
/// a failed read is answered as the error it is, for the caller's page.
pub async fn paged<T, F, Fut>(
    caller: &crate::Caller,
    asked_page: &str,
    per_page: i64,
    total_of: impl Fn(&T) -> i64,
    read: F,
) -> Result<(T, i64), axum::response::Response>
where
    F: Fn(i64) -> Fut,
    Fut: Future<Output = Result<T, service::ServiceError>>,
{
    within_total(asked(asked_page), per_page, total_of, read).await.map_err(|e| caller.fail(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_asked_is_a_whole_number_from_one() {
        assert_eq!(asked("3"), 3);
        assert_eq!(asked(" 7 "), 7);
        for raw in ["", "0", "-2", "abc", "1.5", "２", "-99999999999999999999999"] {
            assert_eq!(asked(raw), 1, "{raw:?}");
        }
        assert_eq!(asked("99999999999999999999999"), MAX_PAGE);
        assert_eq!(asked("9223372036854775807"), MAX_PAGE);
    }

    #[test]
    fn pages_clamp_to_the_list() {
        assert_eq!(pages(0, 50), 1);
        assert_eq!(pages(5549, 50), 111);
        assert_eq!(clamp(99_999, 5549, 50), 111);
        assert_eq!(clamp(0, 5549, 50), 1);
        assert_eq!(clamp(4, 0, 50), 1);
        assert_eq!(clamp_usize(MAX_PAGE, 101, 50), 3);
    }
}
