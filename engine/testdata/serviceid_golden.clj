;; Computes engine/testdata/serviceid_golden.json with Clojure itself (Debian's
;; clojure 1.11 and clj-digest, the digest library Waiter uses):
;;
;;   clojure -cp /usr/share/java/digest.jar engine/testdata/serviceid_golden.clj > engine/testdata/serviceid_golden.json
;;
;; parameters->id and service-description->service-id are copied from Waiter's
;; waiter/src/waiter/service_description.clj. A map of up to 8 entries is
;; built in sorted key order (a PersistentArrayMap keeps insertion order; Go
;; decodes JSON into maps without order, so the engine assumes sorted); larger
;; maps and every set are hashed structures whose order Clojure decides.
(require '[clojure.string :as str] '[digest])

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
    (str prefix (parameters->id service-description))))

(defn sorted-array-map [m]
  ;; insertion in sorted key order, through a transient as a JSON reader does
  (persistent! (reduce (fn [acc k] (assoc! acc k (get m k))) (transient {}) (sort (keys m)))))

(defn env [n] (into {} (for [i (range n)] [(str "VAR_" (char (+ 65 (mod (* i 7) 26))) i) (str "value " i)])))
(defn meta-map [n] (into {} (for [i (range n)] [(str "key-" (char (+ 97 (mod (* i 11) 26))) i) (str "v" i)])))

(def base {"cmd" "kitchen -p $PORT0" "cpus" 0.1 "mem" 256 "version" "v1" "run-as-user" "alice"})

(def cases
  [["env-0" (assoc base "env" {})]
   ["env-1" (assoc base "env" (env 1))]
   ["env-2" (assoc base "env" (env 2))]
   ["env-8" (assoc base "env" (env 8))]
   ["env-9" (assoc base "env" (env 9))]
   ["env-20" (assoc base "env" (env 20))]
   ["env-40-named" (assoc base "name" "My App_1" "env" (env 40))]
   ["env-escapes" (assoc base "env" {"A" "line\nbreak" "B" "tab\there \"quoted\" back\\slash" "C" "caf\u00e9 \ud83d\ude00"})]
   ["metadata-2" (assoc base "metadata" (meta-map 2))]
   ["metadata-9" (assoc base "metadata" (meta-map 9))]
   ["metadata-17" (assoc base "metadata" (meta-map 17))]
   ["allowed-params-1" (assoc base "allowed-params" #{"FOO"})]
   ["allowed-params-3" (assoc base "allowed-params" #{"FOO" "BAR" "BAZ"})]
   ["allowed-params-12" (assoc base "allowed-params" (set (for [i (range 12)] (str "P" i))))]
   ["all-three" (assoc base "env" (env 10) "metadata" (meta-map 3) "allowed-params" #{"X" "Y"})]
   ;; the token test/acceptance posts (TestServiceIDsMatchWaiter)
   ["acceptance-token" (assoc base "permitted-user" "*" "env" (env 12) "metadata" (meta-map 9)
                              "allowed-params" #{"FOO" "BAR" "BAZ" "QUX"})]])

(defn json [v]
  (cond (map? v) (str "{" (str/join "," (for [[k x] (sort-by key v)] (str (pr-str k) ":" (json x)))) "}")
        (set? v) (str "[" (str/join "," (map pr-str (sort v))) "]")
        :else (pr-str v)))

(defn shaped [d]
  (cond-> d
    (get d "env") (update "env" #(if (<= (count %) 8) (sorted-array-map %) %))
    (get d "metadata") (update "metadata" #(if (<= (count %) 8) (sorted-array-map %) %))))

(println "[")
(println (str/join ",\n"
  (concat
    (for [[n d] cases]
      (let [d (shaped d)]
        (str "{\"case\":" (pr-str n) ",\"description\":" (json d)
             ",\"str-env\":" (pr-str (str (get d "env")))
             ",\"str-allowed-params\":" (pr-str (str (get d "allowed-params")))
             ",\"id\":" (pr-str (service-description->service-id "waiter-service-" d)) "}")))
    (for [s ["" "a" "FOO" "VAR_A0" "caf\u00e9" "\ud83d\ude00" "the quick brown fox"]]
      (str "{\"case\":\"hash\",\"string\":" (pr-str s) ",\"hasheq\":" (hash s) "}")))))
(println "]")
