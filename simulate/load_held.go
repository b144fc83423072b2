package simulate

// What the generator holds for its conversations in flight. Each one in
// flight costs the generator its state and plan (loadConv and its plan
// buffer, load_planned.go), the shadow's record of it (a
// domain.Conversation with its slots, and its place in the shadow's map)
// and its place in the heap. How many are in flight follows the load's
// density, not its size: about 15 thousand for a 200-person team's year
// of 2.8 million conversations (the reference load), 80 to 120 thousand
// at ten times that density (the 10M-rating load's), where the generator
// held 100 to 125 MB of a live heap of 150 to 190 MB (BENCHMARKS.md,
// "A load's memory follows what it holds in flight"). A writer's memory
// budget that leaves them in the store's share starves the store and
// keeps the collector running without pause when they are legitimately
// many; LoadConfig.Holding tells a caller what they cost, so that its
// budget counts them apart.

// bytesPerConvInFlight is what one conversation in flight costs the
// generator's heap, measured with runtime.MemStats after a collection at
// both densities: 960 to 1,090 bytes (1,120 to 1,320 before its plans
// held their times in seconds and loadConv its times as offsets);
// load_held_test.go keeps the estimate within a quarter of the measure.
// Of it the shadow's domain.Conversation, its slots and its map entry
// are about half, the plan buffer (ten or so 32-byte planned events) a
// third, and loadConv (160 bytes) with its id and customer's name the
// rest. It is an estimate, not a
// count: walking the conversations in flight after every batch to sum
// their plans' capacities would cost more than the precision is worth.
const bytesPerConvInFlight = 1000

// heldBytes is about what the generator holds for its conversations in
// flight.
func (g *loadGen) heldBytes() int64 {
	return int64(len(g.heap)) * bytesPerConvInFlight
}
