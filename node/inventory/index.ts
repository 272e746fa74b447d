// Inventory (H4): the availability rule, FEFO allocation, stock in and moves.
// Other capabilities import from here.
export { allocatability, allocatableWhere, todayDate, unitAvailability } from './availability';
export type { Allocatability, StockFacts, UnavailableRule, UnitAvailability } from './availability';
export { addLotStock, allocateFefo, allocationsOfLine, releaseAllocation } from './allocate';
export type { AllocatedStock, AllocateOptions, AllocationLine, LineAllocation, ReleasedAllocation } from './allocate';
export { assertBinAccepts, defaultBin, findBin, moveStock, receiveIntoStock } from './stock';
export type { Bin, MovedStock, MoveStock, ReceivedStock, ReceiveIntoStock, StockRef, Zone } from './stock';
