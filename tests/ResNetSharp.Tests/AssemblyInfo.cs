// torch's random generator, default device (switched briefly by MetaDevice) and autocast state are process-wide: tests that ran
// in parallel with other tests would see each other's draws. The suite is small enough to run serially.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
