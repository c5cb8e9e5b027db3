//! The sans-I/O conversation engine (see DESIGN.md "The engine").
