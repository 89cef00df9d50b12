//! The server's tests against a real PostgreSQL, through HTTP as the browser sends it: one test
//! binary for all of them, so the application is linked once (each binary of it is hundreds of
//! megabytes) and a test run needs a fraction of the disk and link time.

mod common;

mod accounts;
mod admin;
mod audit_log;
mod auth;
mod company;
mod conversations;
mod crm;
mod http;
mod imports;
mod integrations;
mod jobs;
mod people;
mod pipeline;
mod ranking;
