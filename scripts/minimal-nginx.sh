# Sourced by scripts/build-fuzz.sh and bench/build-lookup.sh: the modules
# left out of the nginx they build with the module compiled in (only what
# the module needs: a shorter build).

ngx_prov_minimal_modules=(
       --with-http_ssl_module
       --without-http_gzip_module
       --without-http_ssi_module
       --without-http_userid_module
       --without-http_autoindex_module
       --without-http_geo_module
       --without-http_map_module
       --without-http_split_clients_module
       --without-http_referer_module
       --without-http_proxy_module
       --without-http_fastcgi_module
       --without-http_uwsgi_module
       --without-http_scgi_module
       --without-http_grpc_module
       --without-http_memcached_module
       --without-http_limit_conn_module
       --without-http_limit_req_module
       --without-http_empty_gif_module
       --without-http_browser_module
       --without-http_upstream_hash_module
       --without-http_upstream_ip_hash_module
       --without-http_upstream_least_conn_module
       --without-http_upstream_random_module
       --without-http_upstream_keepalive_module
       --without-http_upstream_zone_module)
