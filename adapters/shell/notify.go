package shell

// Subscribe returns a channel that receives a service's id whenever its
// observation changes: an instance launched, turned healthy or unhealthy,
// failed, or was stopped, and when the service is created, scaled or
// deleted. A driver reads it to Observe (or ObserveService) right away
// instead of waiting for its next poll, so a cold start is reported as soon
// as the instance answers its health check.
//
// Sends never block the scheduler (internal/fanout): when a subscriber's
// buffer (256) is full, further notifications are dropped until it
// drains, so a driver must keep polling Observe as well (a dropped
// notification then costs at most one poll interval). Ids may repeat. The channel is closed when the
// scheduler shuts down; subscribing after that returns a closed channel.
func (s *Scheduler) Subscribe() <-chan string { return s.subs.Subscribe() }

// notify tells subscribers that serviceID changed.
func (s *Scheduler) notify(serviceID string) { s.subs.Notify(serviceID) }
