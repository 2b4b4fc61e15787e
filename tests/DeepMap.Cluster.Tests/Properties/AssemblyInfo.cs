// Each test here starts a cluster of real processes; two at once on a small CI machine starve each other's heartbeats
// and step timers, which tests measuring membership changes must not confuse with real faults.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
