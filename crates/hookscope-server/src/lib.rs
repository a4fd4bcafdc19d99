//! capture server
