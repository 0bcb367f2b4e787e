//! The briefing pack: chart data prepared from a sweep's summary, the charts, the tables, the
//! workbook and the self-contained page, all as bytes for the CLI to write.

pub mod assemble;
pub mod docx;
pub mod html;
pub mod pack;
pub mod workbook;
