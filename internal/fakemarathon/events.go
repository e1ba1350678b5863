package fakemarathon

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/waiter-go/waiter/sim/marathon"
)

// subscriberBuffer is how many events a slow stream may lag before it is
// dropped (its client reconnects, as go-marathon's does).
const subscriberBuffer = 1024

// broker fans events out to the /v2/events streams.
type broker struct {
	mu     sync.Mutex
	subs   map[*subscriber]struct{}
	closed bool
	done   chan struct{}
}

type subscriber struct {
	ch    chan []byte
	types map[string]bool // nil: every type
}

func newBroker() *broker { return &broker{subs: map[*subscriber]struct{}{}, done: make(chan struct{})} }

func (b *broker) active() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs) > 0
}

func (b *broker) subscribe(types []string) (*subscriber, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, false
	}
	sub := &subscriber{ch: make(chan []byte, subscriberBuffer)}
	if len(types) > 0 {
		sub.types = map[string]bool{}
		for _, t := range types {
			sub.types[t] = true
		}
	}
	b.subs[sub] = struct{}{}
	return sub, true
}

func (b *broker) unsubscribe(sub *subscriber) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.subs[sub]; ok {
		delete(b.subs, sub)
		close(sub.ch)
	}
}

// publish sends one event to every stream that wants its type; a stream
// whose buffer is full is cut off rather than holding the server up.
func (b *broker) publish(eventType string, data map[string]any) {
	data["eventType"] = eventType
	if _, ok := data["timestamp"]; !ok {
		data["timestamp"] = stamp(time.Now())
	}
	js, err := json.Marshal(data)
	if err != nil {
		return
	}
	frame := []byte(fmt.Sprintf("event: %s\ndata: %s\n\n", eventType, js))
	b.mu.Lock()
	defer b.mu.Unlock()
	for sub := range b.subs {
		if sub.types != nil && !sub.types[eventType] {
			continue
		}
		select {
		case sub.ch <- frame:
		default:
			delete(b.subs, sub)
			close(sub.ch)
		}
	}
}

func (b *broker) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.closed {
		b.closed = true
		close(b.done)
	}
}

// streamEvents is GET /v2/events: server-sent events, "event: <type>" and
// "data: <json>" per event, starting with event_stream_attached;
// ?event_type=... (repeatable) filters them.
func (s *Server) streamEvents(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		writeError(w, badRequest("event streaming needs a flushing connection"))
		return
	}
	s.mu.Lock()
	if s.seen == nil {
		s.seen = s.snapshot() // changes from now on become events
	}
	s.mu.Unlock()
	sub, ok := s.events.subscribe(r.URL.Query()["event_type"])
	if !ok {
		writeError(w, notFound("Marathon is shutting down"))
		return
	}
	defer s.events.unsubscribe(sub)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	attached, _ := json.Marshal(map[string]any{"eventType": "event_stream_attached", "timestamp": stamp(time.Now()), "remoteAddress": r.RemoteAddr})
	if sub.types == nil || sub.types["event_stream_attached"] {
		_, _ = fmt.Fprintf(w, "event: event_stream_attached\ndata: %s\n\n", attached)
	}
	fl.Flush()
	for {
		select {
		case frame, open := <-sub.ch:
			if !open {
				return
			}
			if _, err := w.Write(frame); err != nil {
				return
			}
			fl.Flush()
		case <-r.Context().Done():
			return
		case <-s.events.done:
			return
		}
	}
}

// taskSnap is what the event diff remembers of a task.
type taskSnap struct {
	app, agent, host, version string
	ports                     []int
	state                     marathon.TaskState
	checked, alive            bool
	failures                  time.Duration // LastFailure, to see a new failed check
	hasFailure                bool
}

// seenState is the model as the last publish saw it.
type seenState struct {
	tasks map[string]taskSnap
	deps  map[string]string // deployment id -> app id
	apps  map[string]bool
}

// snapshot captures the model for the event diff. s.mu held.
func (s *Server) snapshot() *seenState {
	st := &seenState{tasks: map[string]taskSnap{}, deps: map[string]string{}, apps: map[string]bool{}}
	for _, id := range s.model.AppIDs() {
		a := s.model.App(id)
		st.apps[id] = true
		if a.Deployment != "" {
			st.deps[a.Deployment] = id
		}
		for _, t := range visible(a) {
			st.tasks[t.ID] = taskSnap{app: id, agent: t.AgentID, host: t.Host, version: t.Version, ports: slices.Clone(t.Ports),
				state: t.State, checked: t.HealthChecked, alive: t.Alive, failures: t.Health.LastFailure, hasFailure: t.Health.HasFailure}
		}
	}
	return st
}

// publish turns what changed since the last call into events, and
// forgets deployments that ended. s.mu held.
func (s *Server) publish() {
	if !s.events.active() {
		s.seen = nil
		s.forgetEndedDeployments()
		return
	}
	prev, cur := s.seen, s.snapshot()
	s.seen = cur
	if prev == nil {
		s.forgetEndedDeployments()
		return
	}
	for _, dep := range sortedKeys(cur.deps) {
		if _, ok := prev.deps[dep]; !ok {
			if d := s.deployments[dep]; d != nil {
				s.events.publish("deployment_info", map[string]any{"plan": planJSON(d), "currentStep": stepJSON(d, len(d.steps)-1)})
			}
		}
	}
	for _, id := range sortedKeys(cur.tasks) {
		t, p := cur.tasks[id], prev.tasks[id]
		if _, seen := prev.tasks[id]; !seen || p.state != t.state {
			s.events.publish("status_update_event", statusJSON(id, t, string(t.state), ""))
		}
		if t.checked && (t.alive != p.alive || !p.checked) {
			s.events.publish("health_status_changed_event", map[string]any{"appId": "/" + t.app,
				"instanceId": id, "taskId": id, "version": t.version, "alive": t.alive})
		}
		if t.hasFailure && (!p.hasFailure || t.failures != p.failures) {
			ev := map[string]any{"appId": "/" + t.app, "instanceId": id, "taskId": id}
			if m := s.apps[t.app]; m != nil && len(m.def.HealthChecks) > 0 {
				ev["healthCheck"] = m.def.HealthChecks[0]
			}
			s.events.publish("failed_health_check_event", ev)
		}
	}
	for _, id := range sortedKeys(prev.tasks) {
		if _, ok := cur.tasks[id]; ok {
			continue
		}
		p := prev.tasks[id]
		status, msg := "TASK_KILLED", ""
		if a := s.model.App(p.app); a != nil {
			for _, f := range a.Failures {
				if f.TaskID == id {
					status, msg = "TASK_FAILED", f.Message
					if f.Message == "Agent lost" {
						status = "TASK_LOST"
					}
				}
			}
		}
		s.events.publish("status_update_event", statusJSON(id, p, status, msg))
	}
	for _, dep := range sortedKeys(prev.deps) {
		if _, ok := cur.deps[dep]; ok {
			continue
		}
		ev := map[string]any{"id": dep}
		if d := s.deployments[dep]; d != nil {
			ev["plan"] = planJSON(d)
		}
		if s.canceled[dep] {
			s.events.publish("deployment_failed", ev)
		} else {
			s.events.publish("deployment_success", ev)
		}
	}
	for _, id := range sortedKeys(prev.apps) {
		if !cur.apps[id] {
			s.events.publish("app_terminated_event", map[string]any{"appId": "/" + id})
		}
	}
	s.forgetEndedDeployments()
}

// forgetEndedDeployments drops what is kept of deployments no app has
// any more. s.mu held.
func (s *Server) forgetEndedDeployments() {
	for dep, d := range s.deployments {
		if a := s.model.App(d.app); a == nil || a.Deployment != dep {
			delete(s.deployments, dep)
			delete(s.canceled, dep)
		}
	}
	for dep := range s.canceled {
		if _, ok := s.deployments[dep]; !ok {
			delete(s.canceled, dep)
		}
	}
}

func statusJSON(id string, t taskSnap, status, msg string) map[string]any {
	return map[string]any{"slaveId": t.agent, "taskId": id, "taskStatus": status, "message": msg,
		"appId": "/" + t.app, "host": t.host, "ports": orEmpty(t.ports), "version": t.version,
		"ipAddresses": []map[string]string{{"ipAddress": t.host, "protocol": "IPv4"}}}
}

func planJSON(d *deployMeta) map[string]any {
	steps := make([]map[string]any, len(d.steps))
	for i := range d.steps {
		steps[i] = stepJSON(d, i)
	}
	return map[string]any{"id": d.id, "version": stamp(d.version), "original": map[string]any{}, "target": map[string]any{}, "steps": steps}
}

func stepJSON(d *deployMeta, i int) map[string]any {
	return map[string]any{"actions": []map[string]string{{"action": d.steps[i], "app": "/" + d.app}}}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
