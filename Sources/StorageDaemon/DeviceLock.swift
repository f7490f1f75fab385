/// Exclusive use of one device for writing, handed out in arrival order. Waiting suspends the task (it never blocks a
/// thread), so a job waiting for a busy device leaves its connections responsive.
actor DeviceLock {
    private var held = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// Waits until the device is free and takes it.
    func acquire() async {
        if !held {
            held = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    /// Gives the device to the next waiter, or frees it.
    func release() {
        if waiters.isEmpty {
            held = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}
