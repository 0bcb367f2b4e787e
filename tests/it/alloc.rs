//! The year loop allocates nothing (MODEL.md §3.8): a counting global allocator for this test
//! binary, switched on per thread around `simulate`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use urbsim::calibrate::base_state;
use urbsim::model::start::initial_state;
use urbsim::model::{self, IndicatorId, NoShocks};

use crate::common::baseline;

struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static COUNT: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded unchanged to the system allocator; the wrapper only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            COUNT.with(|c| c.set(c.get() + 1));
        }
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's pointer and layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            COUNT.with(|c| c.set(c.get() + 1));
        }
        // SAFETY: forwarded with the caller's arguments.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[test]
fn the_year_loop_allocates_nothing() {
    let b = baseline();
    let p = b.central_params();
    let levers = b.default_levers(b.base_year + 1);
    let demo = base_state(&b, &p);
    let mut state = initial_state(&b.inputs, &p, &levers, &demo);
    model::start_run(&b.inputs, &mut state, &mut NoShocks);
    let mut rows = vec![[0.0; IndicatorId::COUNT]; 12];
    COUNT.with(|c| c.set(0));
    COUNTING.with(|c| c.set(true));
    model::simulate(&b.inputs, &p, &levers, &mut state, 2035, &mut NoShocks, &mut rows);
    COUNTING.with(|c| c.set(false));
    assert_eq!(COUNT.with(Cell::get), 0, "heap allocations inside the year loop");
    assert!(rows[11][IndicatorId::ResidentPopulation as usize] > 0.0);
}
