;; Computes engine/testdata/jetty_header_case_golden.json: service ids of
;; requests whose x-waiter-* header names are sent in mixed case, with 8
;; ring-map headers or fewer, so that Waiter's env and metadata order is a
;; real Jetty 9.4's header-name order (Debian's libjetty9-java; Waiter's jet
;; 0.7.10 uses 9.4.31). Each request goes over a socket to Jetty, whose
;; request jet's get-headers (copied from twosigma/jet, qbits.jet.servlet)
;; turns into the ring :headers map; Waiter's middlewares add x-cid and via,
;; then Waiter's header parsing, token merge and service id run (the code
;; copied from twosigma/waiter, as in serviceid_order_golden.clj).
;;
;;   CP=$(ls /usr/share/java/{jetty9-server,jetty9-http,jetty9-util,jetty9-io,servlet-api,data.json,digest}.jar | tr '\n' ':')
;;   clojure -cp $CP engine/testdata/jetty_header_case_golden.clj > engine/testdata/jetty_header_case_golden.json
(import '[org.eclipse.jetty.server Server Request]
        '[org.eclipse.jetty.server.handler AbstractHandler]
        '[java.net Socket])
(require '[clojure.string :as str] '[clojure.data.json :as json] '[digest])

;; qbits.jet.servlet/get-headers
(defn get-headers [^Request request]
  (reduce (fn [headers ^String name]
            (assoc headers (.toLowerCase name) (->> (.getHeaders request name) (enumeration-seq) (str/join ","))))
          {} (enumeration-seq (.getHeaderNames request))))
(def result (atom nil))
(def server (doto (Server. 0)
              (.setHandler (proxy [AbstractHandler] []
                             (handle [target ^Request base req resp]
                               (reset! result (get-headers base))
                               (.setHandled base true)
                               (.setStatus resp 200))))
              (.start)))
(def port (.getLocalPort (first (.getConnectors server))))
(defn send! [headers]
  (with-open [s (Socket. "127.0.0.1" (int port))]
    (let [out (.getOutputStream s)]
      (.write out (.getBytes (str "GET / HTTP/1.1\r\n"
                                  (apply str (for [[k v] headers] (str k ": " v "\r\n")))
                                  "\r\n")))
      (.flush out)
      (.shutdownOutput s)
      (slurp (.getInputStream s))))
  @result)

;; plumbing.core/map-keys 0.5.5
(defn map-keys [f m] (persistent! (reduce-kv (fn [out-m k v] (assoc! out-m (f k) v)) (transient {}) m)))
(defn remove-keys [m ks] (reduce dissoc m ks))
(defn assoc-if-absent [m k v] (cond-> m (not (contains? m k)) (assoc k v)))
;; correlation-id-middleware and attach-via-header-middleware
(defn ring-headers [jet-headers]
  (-> jet-headers
      (assoc-if-absent "x-cid" "cid-1")
      (update "via" (fn [v] (cond->> "HTTP/1.1 waiter" (some? v) (str v ", "))))))
;; waiter.headers
(def waiter-header-prefix "x-waiter-")
(defn split-headers [headers]
  (loop [[[^String k v] & kvs] (seq headers)
         waiter-headers (transient {})
         passthrough-headers (transient {})]
    (if k
      (if (str/starts-with? k waiter-header-prefix)
        (recur kvs (assoc! waiter-headers k v) passthrough-headers)
        (recur kvs waiter-headers (assoc! passthrough-headers k v)))
      {:passthrough-headers (persistent! passthrough-headers)
       :waiter-headers (persistent! waiter-headers)})))
(defn drop-waiter-header-prefix [waiter-headers]
  (map-keys #(subs % (count waiter-header-prefix)) waiter-headers))
;; waiter.service-description
(def service-parameter-keys
  #{"allowed-params" "cmd" "cpus" "env" "mem" "metadata" "name" "permitted-user" "run-as-user" "version"})
(def service-description-from-header-keys (conj service-parameter-keys "param"))
(defn parse-env-map-headers [service-description key-name]
  (let [env-keys (filter (fn [key] (str/starts-with? key (str key-name "-"))) (keys service-description))
        env-map (select-keys service-description env-keys)]
    (if (empty? env-map)
      service-description
      (let [key-regex (re-pattern (str "^" key-name "-"))
            renamed-env-map (map-keys #(str/upper-case (str/replace % key-regex "")) env-map)]
        (assoc (remove-keys service-description env-keys) key-name renamed-env-map)))))
(defn parse-metadata-headers [service-description]
  (let [metadata-keys (filter (fn [key] (str/starts-with? key "metadata-")) (keys service-description))
        metadata-map (select-keys service-description metadata-keys)]
    (if (empty? metadata-map)
      service-description
      (assoc (remove-keys service-description metadata-keys) "metadata"
             (map-keys #(str/replace % #"^metadata-" "") metadata-map)))))
(defn waiter-headers->service-parameters [waiter-headers]
  (-> waiter-headers
      drop-waiter-header-prefix
      (parse-env-map-headers "env")
      (parse-env-map-headers "param")
      parse-metadata-headers
      (select-keys service-description-from-header-keys)))
(defn sanitize-metadata [{:strs [metadata] :as sd}]
  (if metadata (assoc sd "metadata" (map-keys #(str/lower-case %) metadata)) sd))
(defn compute-core [headers template]
  (let [headers-without-params (dissoc headers "param")
        header-params (get headers "param")
        merge-params (fn [sd] (if header-params (-> sd (update "env" merge header-params) (dissoc "param")) sd))]
    (-> (merge template headers-without-params) merge-params sanitize-metadata)))
(defn parameters->id [parameters]
  (let [sorted-parameters (sort parameters)]
    (loop [[[k v] & kvs] sorted-parameters acc (transient [])]
      (if k
        (recur kvs (-> acc (conj! k) (conj! (str v))))
        (str (digest/digest "MD5" (str/join "" (persistent! acc))))))))
(defn service-description->service-id [service-id-prefix service-description]
  (let [{:strs [name]} service-description
        prefix (cond-> service-id-prefix
                 name (str (str/replace (str/lower-case name) #"[^a-z0-9]" "") "-"))]
    (str prefix (parameters->id (select-keys service-description service-parameter-keys)))))

(def token-doc "{\"cmd\":\"kitchen -p $PORT0\",\"cpus\":0.1,\"mem\":256,\"version\":\"v1\",\"run-as-user\":\"alice\",\"permitted-user\":\"*\",\"env\":{\"TOKEN_ONLY\":\"t\"}}")
(def waiter-names ["x-waiter-env-zeta" "x-waiter-env-alpha" "x-waiter-env-mu" "x-waiter-env-beta"
                   "x-waiter-metadata-team" "x-waiter-metadata-app" "x-waiter-env-foo_bar"
                   "x-waiter-env-a" "x-waiter-env-b" "x-waiter-metadata-zone"
                   "x-waiter-env-zz" "x-waiter-env-aa"])
(def other-names ["User-Agent" "accept" "Content-Type"])
(def rnd (java.util.Random. 7))
(defn pick [xs n] (take n (sort-by (fn [_] (.nextInt rnd)) xs)))
;; a spelling of name: lower, Canonical-Case, UPPER or random per letter
(defn spell [^String name]
  (case (.nextInt rnd 4)
    0 name
    1 (str/join "-" (map str/capitalize (str/split name #"-")))
    2 (str/upper-case name)
    (apply str (map (fn [c] (if (.nextBoolean rnd) (Character/toUpperCase (char c)) c)) name))))

(def cases
  (vec (for [i (range 60)]
         (let [others (pick other-names (.nextInt rnd 2))
               ws (pick waiter-names (+ 2 (.nextInt rnd (- 3 (count others)))))
               sent (pick (concat others ws ["x-waiter-token"]) 100)
               sent (map spell sent)
               ;; some repeat a name in another spelling (two entries in Jetty's set)
               sent (if (zero? (mod i 6)) (concat sent [(spell (str/lower-case (last (filter #(let [l (str/lower-case %)] (and (str/starts-with? l "x-waiter-") (not= l "x-waiter-token"))) sent))))]) sent)
               sent (remove nil? sent)
               headers (cons ["Host" "waiter.example.com"] (map-indexed (fn [j n] [n (str "v" j)]) sent))
               template (select-keys (json/read-str token-doc) service-parameter-keys)
               describe (fn [headers]
                          (let [ring (ring-headers (send! headers))
                                _ (when (> (count ring) 8) (throw (ex-info "more than 8 ring headers" {:ring ring})))
                                {:keys [waiter-headers]} (split-headers ring)]
                            [ring (compute-core (waiter-headers->service-parameters waiter-headers) template)]))
               [ring d] (describe headers)
               ;; the same request with every name in lower case
               [_ d-lower] (describe (map (fn [[k v]] [(str/lower-case k) v]) headers))]
           {"headers" (vec (map vec headers))
            "tokens" [token-doc]
            "x-waiter-order" (filter #(str/starts-with? % "x-waiter-") (keys ring))
            "str-env" (str (get d "env"))
            "str-metadata" (str (get d "metadata"))
            "ring-size" (count ring)
            "id" (service-description->service-id "waiter-service-" d)
            "id-lower" (service-description->service-id "waiter-service-" d-lower)}))))
(println (json/write-str cases :escape-slash false))
(.stop server)
(shutdown-agents)
