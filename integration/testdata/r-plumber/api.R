#* Say hello, and which R and plumber answer
#* @serializer unboxedJSON
#* @get /hello
function() {
  list(message = "hello from R", r = as.character(getRversion()),
       plumber = as.character(packageVersion("plumber")))
}
