//! The transport of the Hub client: a tower `Service` stack over hyper-util and
//! hyper-rustls, one layer per concern (auth, user agent, retry, redirects, timeouts,
//! Hub error mapping, pagination).
