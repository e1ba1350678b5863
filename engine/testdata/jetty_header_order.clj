;; Shows why engine.headerKeyOrder cannot know Waiter's order when a request
;; has 8 headers or fewer in all: jet builds the ring :headers map by assoc
;; over Jetty's Request#getHeaderNames, which in Jetty 9.4 (Waiter's jet
;; 0.7.10 uses 9.4.31) is a java.util.HashSet of the names as the client
;; spelled them, so the order depends on the case the client sent, which
;; net/http does not keep. Run against Debian's libjetty9-java (9.4.57):
;;
;;   CP=$(ls /usr/share/java/{jetty9-server,jetty9-http,jetty9-util,jetty9-io,servlet-api}.jar | tr '\n' ':')
;;   clojure -cp $CP engine/testdata/jetty_header_order.clj
;;
;; Output seen (ring map keys; lowercased by jet):
;;   (connection x-waiter-env-b host x-waiter-env-a x-waiter-cmd)   ; X-Waiter-Env-B, X-Waiter-Env-A, X-Waiter-Cmd
;;   (connection host x-waiter-env-b x-waiter-cmd x-waiter-env-a)   ; x-waiter-env-b, x-waiter-env-a, x-waiter-cmd
;;   (connection host x-waiter-env-b x-waiter-cmd x-waiter-env-a)   ; the same, sent in another order
;;   (connection x-waiter-env-b host x-waiter-env-a x-waiter-cmd)   ; X-Waiter-Env-A, X-Waiter-Env-B, X-Waiter-Cmd
;;   (accept user-agent x-waiter-env-zz x-waiter-env-aa x-waiter-env-mm connection host)
(import '[org.eclipse.jetty.server Server Request]
        '[org.eclipse.jetty.server.handler AbstractHandler]
        '[java.net Socket])
(require '[clojure.string :as string])
(defn get-headers [^Request request]
  (reduce (fn [headers ^String name]
            (assoc headers (.toLowerCase name) (->> (.getHeaders request name) (enumeration-seq) (string/join ","))))
          {} (enumeration-seq (.getHeaderNames request))))
(def result (atom nil))
(def server (doto (Server. 0)
              (.setHandler (proxy [AbstractHandler] []
                             (handle [target ^Request base req resp]
                               (reset! result (keys (get-headers base)))
                               (.setHandled base true)
                               (.setStatus resp 200))))
              (.start)))
(def port (.getLocalPort (first (.getConnectors server))))
(defn send! [headers]
  (with-open [s (Socket. "127.0.0.1" (int port))]
    (let [out (.getOutputStream s)
          req (str "GET / HTTP/1.1\r\nHost: localhost\r\n"
                   (apply str (for [h headers] (str h ": v\r\n")))
                   "Connection: close\r\n\r\n")]
      (.write out (.getBytes req))
      (.flush out)
      (slurp (.getInputStream s))))
  @result)
(println (send! ["X-Waiter-Env-B" "X-Waiter-Env-A" "X-Waiter-Cmd"]))
(println (send! ["x-waiter-env-b" "x-waiter-env-a" "x-waiter-cmd"]))
(println (send! ["x-waiter-env-a" "x-waiter-env-b" "x-waiter-cmd"]))
(println (send! ["X-Waiter-Env-A" "X-Waiter-Env-B" "X-Waiter-Cmd"]))
(println (send! ["User-Agent" "Accept" "x-waiter-env-zz" "x-waiter-env-aa" "x-waiter-env-mm"]))
(.stop server)
(shutdown-agents)
