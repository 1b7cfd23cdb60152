//! (in progress: owned by the test-kit work)
