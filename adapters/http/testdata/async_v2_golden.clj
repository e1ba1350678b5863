;; Computes adapters/http/testdata/async_v2_golden.json with Clojure itself:
;; Waiter's route-params->uri (async_request.clj) and b64-url-json-encode
;; (utils.clj), copied from twosigma/waiter, over the parameter map that
;; post-process-async-request-response and async-status-handler build.
;;
;;   clojure -cp /usr/share/java/data.json.jar adapters/http/testdata/async_v2_golden.clj \
;;     > adapters/http/testdata/async_v2_golden.json
(require '[clojure.data.json :as json])
(import '(java.net URLEncoder) '(java.nio.charset StandardCharsets))

(defn stringify-keys [k] (if (keyword? k) (name k) (str k)))
(defn clj->json [data-map] (json/write-str data-map :escape-slash false :key-fn stringify-keys))
(let [b64-encoder (.withoutPadding (java.util.Base64/getUrlEncoder))]
  (defn b64-url-json-encode [data]
    (as-> data $ (clj->json $) (.getBytes $ StandardCharsets/UTF_8) (.encodeToString b64-encoder $))))

(defn route-params->uri
  [action {:keys [host location port proto request-id router-id service-id] :as route-params}]
  (let [encode #(if %1 (URLEncoder/encode %1 "UTF-8") (str %1))
        v2? (boolean proto)]
    (if v2?
      (let [request-data (dissoc route-params :location :request-id)]
        (str "/waiter-async/v2/" (name action) "/" (encode request-id)
             "/" (b64-url-json-encode request-data) location))
      (str "/waiter-async/" (name action) "/"
           (encode request-id) "/" (encode router-id) "/" service-id
           "/" (str host) "/" (str port) location))))

;; the literal of post-process-async-request-response, in its key order
(defn param-map [host port proto request-id router-id service-id location]
  {:host host :location location :port port :proto proto :request-id request-id :router-id router-id :service-id service-id})

(def cases
  [["h2c" (param-map "127.0.0.1" 31000 "h2c" "0123abcd" "router-1" "waiter-service-abc" "/async/status")]
   ["https" (param-map "10.1.2.3" 8443 "https" "r 1/2" "router/a b" "kitchen-waiter-service-x" "/a/b")]
   ["h2-unicode" (param-map "h\u00e9te.example" 1 "h2" "id" "r\u00e9\"\\\n\u2028" "s" "/")]
   ["http-v1" (param-map "127.0.0.1" 31000 nil "0123abcd" "router-1" "waiter-service-abc" "/async/status")]])

(println (json/write-str
           (for [[n pm] cases]
             {"case" n "host" (:host pm) "port" (:port pm) "proto" (:proto pm) "request-id" (:request-id pm)
              "router-id" (:router-id pm) "service-id" (:service-id pm) "location" (:location pm)
              "status" (route-params->uri :status pm)
              "json" (clj->json (dissoc pm :location :request-id))})
           :escape-slash false))
