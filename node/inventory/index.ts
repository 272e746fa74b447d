// Inventory (H4): the availability rule, FEFO allocation, stock in and moves.
// Other capabilities import from here.
export { allocatability, allocatableWhere, todayDate, unitAvailability } from './availability';
export type { Allocatability, StockFacts, UnavailableRule, UnitAvailability } from './availability';
export { addLotStock, allocateFefo, allocationsOfLine, releaseAllocation } from './allocate';
export type { AllocatedStock, AllocateOptions, AllocationLine, LineAllocation, ReleasedAllocation } from './allocate';
export { assertBinAccepts, defaultBin, findBin, moveStock, receiveIntoStock } from './stock';
export type { Bin, MovedStock, MoveStock, ReceivedStock, ReceiveIntoStock, StockRef, Zone } from './stock';
export { binRule, lotRule, productRule, stockRule } from './availability';
export { expiringStock, IN_WAREHOUSE, listMoves, listStock, stockTotals } from './queries';
export type { ExpiringLot, StockFilter, StockMove, StockRow, StockTotals } from './queries';
export { openCycleCount, postCycleCount, readCycleCount, recordCount } from './cycleCounts';
export type { CycleCount, CycleCountLine, CountInput } from './cycleCounts';
