;; Computes engine/testdata/serviceid_order_golden.json with Clojure itself:
;;
;;   clojure -cp /usr/share/java/digest.jar:/usr/share/java/data.json.jar \
;;     engine/testdata/serviceid_order_golden.clj > engine/testdata/serviceid_order_golden.json
;;
;; (Debian: clojure, libclj-digest-clojure, libdata-json-clojure.) Each case
;; runs a request through the code paths of Waiter that decide the insertion
;; order of env and metadata, copied from twosigma/waiter (headers.clj,
;; service_description.clj, ring_utils.clj) and its libraries (jet's
;; get-headers, plumbing's map-keys, clojure.data.json's read-str, which
;; Waiter's json-request uses for POST /token), then hashes the result with
;; Waiter's service-description->service-id:
;;
;;   request headers -> jet's ring map (+ x-cid, via from the middlewares)
;;   -> split-headers -> waiter-headers->service-parameters
;;   token JSON -> read-str -> token-sequence->merged-data (merge-parameters)
;;   -> compute-service-description's (merge template headers) and params.
;;
;; Every request has more than 8 headers in all, so jet's map is a hash map
;; and Jetty's header-name order (a java.util.HashSet of the names as the
;; client spelled them) does not matter; headers-jetty-order-free checks that.
(require '[clojure.string :as str] '[clojure.data.json :as json] '[digest])

;; plumbing.core/map-keys 0.5.5
(defn map-keys [f m] (persistent! (reduce-kv (fn [out-m k v] (assoc! out-m (f k) v)) (transient {}) m)))
(defn remove-keys [m ks] (reduce dissoc m ks))
(defn assoc-if-absent [m k v] (cond-> m (not (contains? m k)) (assoc k v)))

;; qbits.jet.servlet/get-headers over Jetty's header names, then
;; correlation-id-middleware and attach-via-header-middleware.
(defn ring-headers [names+values]
  (-> (reduce (fn [headers [^String name value]] (assoc headers (.toLowerCase name) value)) {} names+values)
      (assoc-if-absent "x-cid" "cid-1")
      (update "via" (fn [v] (cond->> "HTTP/1.1 waiter" (some? v) (str v ", "))))))

;; waiter.headers
(def waiter-header-prefix "x-waiter-")
(defn parse-header-value [^String header-name ^String header-value] header-value) ; string values only here
(defn split-headers [headers]
  (loop [[[^String k v] & kvs] (seq headers)
         waiter-headers (transient {})
         passthrough-headers (transient {})]
    (if k
      (if (str/starts-with? k waiter-header-prefix)
        (recur kvs (assoc! waiter-headers k (parse-header-value k v)) passthrough-headers)
        (recur kvs waiter-headers (assoc! passthrough-headers k v)))
      {:passthrough-headers (persistent! passthrough-headers)
       :waiter-headers (persistent! waiter-headers)})))
(defn drop-waiter-header-prefix [waiter-headers]
  (map-keys #(subs % (count waiter-header-prefix)) waiter-headers))

;; waiter.service-description
(def service-parameter-keys
  #{"allowed-params" "cmd" "cpus" "env" "mem" "metadata" "name" "permitted-user" "run-as-user" "version"})
(def service-description-from-header-keys (conj service-parameter-keys "param"))
(defn sanitize-service-description [sd allowed] (select-keys sd allowed))
(defn parse-env-map-headers [service-description key-name]
  (let [env-keys (filter (fn [key] (str/starts-with? key (str key-name "-"))) (keys service-description))
        env-map (select-keys service-description env-keys)]
    (if (empty? env-map)
      service-description
      (let [key-regex (re-pattern (str "^" key-name "-"))
            renamed-env-map (map-keys #(str/upper-case (str/replace % key-regex "")) env-map)
            sanitized-service-description (remove-keys service-description env-keys)]
        (assoc sanitized-service-description key-name renamed-env-map)))))
(defn parse-metadata-headers [service-description]
  (let [metadata-keys (filter (fn [key] (str/starts-with? key "metadata-")) (keys service-description))
        metadata-map (select-keys service-description metadata-keys)]
    (if (empty? metadata-map)
      service-description
      (let [renamed-metadata-map (map-keys #(str/replace % #"^metadata-" "") metadata-map)
            sanitized-service-description (remove-keys service-description metadata-keys)]
        (assoc sanitized-service-description "metadata" renamed-metadata-map)))))
(defn transform-allowed-params-header [sd]
  (cond-> sd (contains? sd "allowed-params")
          (update "allowed-params" #(if-not (str/blank? %) (set (str/split % #",")) #{}))))
(defn transform-allowed-params-token-entry [sd]
  (cond-> sd (contains? sd "allowed-params") (update "allowed-params" set)))
(defn waiter-headers->service-parameters [waiter-headers]
  (-> waiter-headers
      drop-waiter-header-prefix
      (parse-env-map-headers "env")
      (parse-env-map-headers "param")
      parse-metadata-headers
      transform-allowed-params-header
      (sanitize-service-description service-description-from-header-keys)))
(def service-deep-merge-keys #{"env" "metadata"})
(defn merge-parameters [default-params provided-params]
  (loop [[parameter-key & remaining-parameter-keys] service-deep-merge-keys
         loop-params (merge default-params provided-params)]
    (if (some? parameter-key)
      (let [default-param-value (get default-params parameter-key)
            provided-param-value (get provided-params parameter-key)]
        (recur remaining-parameter-keys
               (cond-> loop-params
                 (and (map? default-param-value) (seq default-param-value) (map? provided-param-value))
                 (assoc parameter-key (merge default-param-value provided-param-value)))))
      loop-params)))
(defn token-sequence->merged-data [token->token-data token-sequence]
  (loop [loop-token-data {} [token & remaining-tokens] token-sequence]
    (if token
      (recur (merge-parameters loop-token-data (token->token-data token)) remaining-tokens)
      loop-token-data)))
(defn sanitize-metadata [{:strs [metadata] :as sd}]
  (if metadata (assoc sd "metadata" (map-keys #(str/lower-case %) metadata)) sd))
;; the merge steps of compute-service-description (every case names its
;; run-as-user and permitted-user, so the requester defaults do not apply)
(defn compute-core [headers service-description-template]
  (let [headers-without-params (dissoc headers "param")
        header-params (get headers "param")
        merge-params (fn [sd] (if header-params (-> sd (update "env" merge header-params) (dissoc "param")) sd))]
    (-> (merge service-description-template headers-without-params) merge-params sanitize-metadata)))

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

;; a request: client headers (no Host: Go keeps it out of the header map)
;; and the JSON documents of the tokens it names, as posted.
(defn describe [client-headers token-docs]
  (let [token->data (zipmap (range) (map #(transform-allowed-params-token-entry (json/read-str %)) token-docs))
        template (select-keys (token-sequence->merged-data token->data (range (count token-docs))) service-parameter-keys)
        {:keys [waiter-headers]} (split-headers (ring-headers (cons ["Host" "waiter.example.com"] client-headers)))]
    (compute-core (waiter-headers->service-parameters waiter-headers) template)))

(def client ["User-Agent" "curl/8.5.0" "Accept" "*/*" "Accept-Encoding" "gzip" "Content-Type" "text/plain"])
(defn pairs [xs] (partition 2 xs))
(def on-the-fly ["x-waiter-cmd" "kitchen -p $PORT0" "x-waiter-cpus" "0.1" "x-waiter-mem" "256"
                 "x-waiter-version" "v1" "x-waiter-run-as-user" "alice" "x-waiter-permitted-user" "*"])
;; names chosen so that sorted, hash and document orders all differ
(def env-names ["ZETA" "ALPHA" "MU" "BETA" "OMEGA" "GAMMA" "DELTA" "KAPPA"])
(def meta-names ["zone" "app" "team" "cost" "owner-x" "build" "region" "tier"])
(defn env-headers [n] (mapcat (fn [k i] [(str "x-waiter-env-" (str/lower-case k)) (str "e" i)]) (take n env-names) (range)))
(defn meta-headers [n] (mapcat (fn [k i] [(str "x-waiter-metadata-" k) (str "m" i)]) (take n meta-names) (range)))
(defn obj [names n prefix] (str "{" (str/join "," (map (fn [k i] (str (pr-str k) ":" (pr-str (str prefix i)))) (take n names) (range))) "}"))
(defn token-doc [& kvs] (str "{" (str/join "," (map (fn [[k v]] (str (pr-str k) ":" v)) (partition 2 kvs))) "}"))
(defn tok [& kvs]
  (apply token-doc (concat ["cmd" "\"kitchen -p $PORT0\"" "cpus" "0.1" "mem" "256" "version" "\"v1\""
                            "run-as-user" "\"alice\"" "permitted-user" "\"*\""] kvs)))

(def cases
  (concat
    (for [n (range 2 9)]
      [(str "headers-env-" n) (concat client on-the-fly (env-headers n)) []])
    (for [n (range 2 9)]
      [(str "headers-metadata-" n) (concat client on-the-fly (meta-headers n)) []])
    ;; only 1 + n x-waiter headers: the order comes from the full names
    (for [n [2 5 8]]
      [(str "headers-few-env-" n) (concat client ["x-waiter-token" "t"] (env-headers n))
       [(tok)]])
    (for [n (range 2 9)]
      [(str "token-env-" n) (concat client ["x-waiter-token" "t"]) [(tok "env" (obj env-names n "t"))]])
    (for [n (range 2 9)]
      [(str "token-metadata-" n) (concat client ["x-waiter-token" "t"]) [(tok "metadata" (obj meta-names n "t"))]])
    [["token-env-and-metadata-4" (concat client ["x-waiter-token" "t"])
      [(tok "metadata" (obj meta-names 4 "t") "env" (obj env-names 4 "t"))]]
     ["token-duplicate-key" (concat client ["x-waiter-token" "t"])
      [(tok "env" "{\"ZETA\":\"1\",\"ALPHA\":\"2\",\"ZETA\":\"3\"}")]]
     ;; two tokens: deep merge, the first token's keys first
     ["tokens-merged-env" (concat client ["x-waiter-token" "t1,t2"])
      [(tok "env" (obj env-names 3 "a")) (token-doc "env" (obj (reverse env-names) 4 "b"))]]
     ["tokens-merged-metadata-8" (concat client ["x-waiter-token" "t1,t2"])
      [(tok "metadata" (obj meta-names 5 "a")) (token-doc "metadata" (obj (reverse meta-names) 4 "b"))]]
     ;; token and headers: a header env replaces the token's env
     ["token-env-header-env" (concat client ["x-waiter-token" "t"] (env-headers 3))
      [(tok "env" (obj env-names 5 "t"))]]
     ["token-env-header-metadata" (concat client ["x-waiter-token" "t"] (meta-headers 3))
      [(tok "env" (obj env-names 5 "t") "metadata" (obj (reverse meta-names) 2 "t"))]]
     ;; x-waiter-param-* merge into the token's env
     ["token-env-param-headers" (concat client ["x-waiter-token" "t" "x-waiter-param-omega" "p1" "x-waiter-param-alpha" "p2"])
      [(tok "env" (obj env-names 3 "t") "allowed-params" "[\"OMEGA\",\"ALPHA\"]")]]
     ["token-param-headers-no-env" (concat client ["x-waiter-token" "t" "x-waiter-param-omega" "p1" "x-waiter-param-beta" "p2" "x-waiter-param-alpha" "p3"])
      [(tok "allowed-params" "[\"OMEGA\",\"ALPHA\",\"BETA\"]")]]]))

(defn json-str [s] (json/write-str s :escape-slash false))
(println "[")
(println (str/join ",\n"
  (concat
    (for [[n hs docs] cases]
      (let [d (describe (pairs hs) docs)]
        (str "{\"case\":" (json-str n)
             ",\"headers\":" (json-str (map vec (pairs hs)))
             ",\"tokens\":" (json-str docs)
             ",\"str-env\":" (json-str (str (get d "env")))
             ",\"str-metadata\":" (json-str (str (get d "metadata")))
             ",\"id\":" (json-str (service-description->service-id "waiter-service-" d)) "}")))
    ;; jet's map of more than 8 headers does not depend on Jetty's name order
    (let [hs (pairs (concat client on-the-fly (env-headers 4)))
          a (describe hs []) b (describe (reverse hs) [])]
      (when (not= (str (get a "env")) (str (get b "env"))) (throw (ex-info "order depends on Jetty" {})))
      []))))
(println "]")
