//! Shared test support: the instruction table, operand generators and the
//! APFloat-based reference semantics.

#![allow(dead_code)]

pub mod inputs;
pub mod ops;
pub mod reference;
