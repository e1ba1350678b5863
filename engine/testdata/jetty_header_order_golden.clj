;; Computes engine/testdata/jetty_header_order_golden.json with a real Jetty
;; 9.4 (Debian's libjetty9-java; Waiter's jet 0.7.10 uses 9.4.31): requests
;; of 8 headers or fewer in all (with Waiter's x-cid and via), every name
;; sent in lower case, and the order in which jet's get-headers (copied from
;; twosigma/jet, qbits.jet.servlet) puts their x-waiter-* headers into the
;; ring map, which is the order Waiter parses env and metadata in.
;;
;;   CP=$(ls /usr/share/java/{jetty9-server,jetty9-http,jetty9-util,jetty9-io,servlet-api,data.json}.jar | tr '\n' ':')
;;   clojure -cp $CP engine/testdata/jetty_header_order_golden.clj > engine/testdata/jetty_header_order_golden.json
(import '[org.eclipse.jetty.server Server Request]
        '[org.eclipse.jetty.server.handler AbstractHandler]
        '[java.net Socket])
(require '[clojure.string :as string] '[clojure.data.json :as json])
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
    (let [out (.getOutputStream s)]
      (.write out (.getBytes (str "GET / HTTP/1.1\r\nhost: localhost\r\n"
                                  (apply str (for [[k v] headers] (str k ": " v "\r\n")))
                                  "\r\n")))
      (.flush out)
      (.shutdownOutput s)
      (slurp (.getInputStream s))))
  @result)
(def waiter-names ["x-waiter-token" "x-waiter-env-zeta" "x-waiter-env-alpha" "x-waiter-env-mu" "x-waiter-env-beta"
                   "x-waiter-metadata-team" "x-waiter-metadata-app" "x-waiter-cmd" "x-waiter-env-foo_bar"
                   "x-waiter-param-omega" "x-waiter-env-a" "x-waiter-env-b" "x-waiter-metadata-zone"])
(def other-names ["user-agent" "accept" "content-type" "accept-encoding" "x-forwarded-for"])
(def rnd (java.util.Random. 42))
(defn pick [xs n] (take n (sort-by (fn [_] (.nextInt rnd)) xs)))
(def cases
  (for [i (range 40)]
    (let [others (pick other-names (.nextInt rnd 3))
          ws (pick waiter-names (+ 1 (.nextInt rnd (- 5 (count others)))))
          sent (pick (concat others ws) 100)
          ;; a repeated header counts twice in Jetty's field list
          sent (if (zero? (mod i 5)) (concat sent [(first sent)]) sent)]
      {"headers" (map-indexed (fn [j n] [n (str "v" j)]) sent)
       "x-waiter-order" (filter #(string/starts-with? % "x-waiter-") (send! (map-indexed (fn [j n] [n (str "v" j)]) sent)))})))
(println (json/write-str (vec cases) :escape-slash false))
(.stop server)
(shutdown-agents)
